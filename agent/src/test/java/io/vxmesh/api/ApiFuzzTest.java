package io.vxmesh.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vxmesh.proto.ListMembersRequest;
import io.vxmesh.proto.ListMembersResponse;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;
import io.vxmesh.proto.StatusRequest;
import io.vxmesh.testing.Await;
import io.vxmesh.testing.Mutations;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the local API's decoding with seeded random and mutated inputs: {@link Frames} and the
 * Request parse exactly as {@link ApiServer} does them (100k inputs), then a real server over its
 * unix socket (fewer: each is a connection). Only the documented errors come out, no input
 * allocates more than a bounded amount (never a claimed length), valid requests still parse, and
 * the server keeps answering.
 */
class ApiFuzzTest {
  private static final long SEED = Long.getLong("fuzz.seed", 20261127L);
  private static final int CASES = Integer.getInteger("fuzz.cases", 100_000);
  private static final Request LIST = Request.newBuilder().setListMembers(ListMembersRequest.getDefaultInstance()).build();
  private static final Request STATUS = Request.newBuilder().setStatus(StatusRequest.getDefaultInstance()).build();

  @TempDir Path dir;

  private static byte[] delimited(Request... rs) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Request r : rs) {
      r.writeDelimitedTo(out);
    }
    return out.toByteArray();
  }

  /** Reads requests as the server does; returns how many parsed before the input ended or failed. */
  private static int readAll(InputStream in) {
    int n = 0;
    try {
      byte[] frame;
      while ((frame = Frames.read(in, ApiServer.MAX_FRAME)) != null) {
        Request.parseFrom(frame);
        n++;
      }
    } catch (InvalidProtocolBufferException | Frames.BadFrameException | java.io.EOFException expected) {
      // the documented ways a request fails
    } catch (IOException e) {
      fail("an IOException other than a bad frame or EOF: " + e, e);
    }
    return n;
  }

  @Test
  void framesAndRequestsFromRandomAndMutatedBytesFailOnlyAsDocumented() throws IOException {
    Mutations m = new Mutations(SEED);
    byte[] valid = delimited(LIST, STATUS, LIST);
    long maxAllocated = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < CASES; i++) {
      int kind = m.random().nextInt(3);
      byte[] input = switch (kind) {
        case 0 -> m.randomBytes(512);
        case 1 -> valid;
        default -> m.mutate(valid);
      };
      long before = Mutations.allocatedBytes();
      int parsed;
      try {
        parsed = readAll(new ByteArrayInputStream(input));
      } catch (RuntimeException e) {
        throw new AssertionError("seed=" + SEED + " case=" + i + ": " + e, e);
      }
      long allocated = Mutations.allocatedBytes() - before;
      if (i >= 1000) { // the first cases load and initialise protobuf's classes
        maxAllocated = Math.max(maxAllocated, allocated);
        assertTrue(allocated < 64 * 1024 + 16L * input.length,
            "seed=" + SEED + " case=" + i + ": " + input.length + " bytes cost " + allocated + " bytes");
      }
      if (kind == 1) {
        assertEquals(3, parsed, "valid requests parse");
      }
    }
    System.out.printf("figure fuzz_api_frames cases=%d max_alloc_per_case=%d ms=%d%n", CASES, maxAllocated,
        (System.nanoTime() - t0) / 1_000_000);
  }

  @Test
  void aLiveServerSurvivesMutatedConnectionsAndStillAnswers() throws Exception {
    Path socket = dir.resolve("fuzz.sock");
    ApiServer server = new ApiServer(socket, (req, caller) -> Response.newBuilder()
        .setListMembers(ListMembersResponse.getDefaultInstance()).build(), Duration.ofSeconds(2));
    server.start();
    try {
      Mutations m = new Mutations(SEED + 1);
      byte[] valid = delimited(LIST, LIST);
      int cases = Math.max(50, CASES / 200);
      for (int i = 0; i < cases; i++) {
        byte[] input = i % 3 == 0 ? m.randomBytes(256) : m.mutate(valid);
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
          c.write(ByteBuffer.wrap(input));
          c.shutdownOutput();
          ByteBuffer sink = ByteBuffer.allocate(4096);
          while (c.read(sink.clear()) >= 0) {
            // drain whatever the server answers until it closes
          }
        } catch (IOException closedByServer) {
          // a reset is a fine answer to garbage
        }
      }
      Await.until(Duration.ofSeconds(10), "every fuzz connection closed", () -> server.openConnections() == 0);
      try (ApiClient c = ApiClient.connect(socket, Duration.ofSeconds(5))) {
        assertEquals(Response.KindCase.LIST_MEMBERS, c.call(LIST).getKindCase(), "the server still answers");
      }
      System.out.printf("figure fuzz_api_server connections=%d bad_frames=%d requests=%d%n", cases, server.badFrames(), server.requests());
      assertTrue(server.badFrames() > 0, "garbage was counted");
    } finally {
      server.close();
    }
  }
}

package io.vxmesh.swim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.vxmesh.proto.swim.Alive;
import io.vxmesh.proto.swim.Packet;
import io.vxmesh.proto.swim.Ping;
import io.vxmesh.proto.swim.SwimMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketsTest {
  private static SwimMessage alive(String node, int announcementBytes) {
    return SwimMessage.newBuilder().setAlive(Alive.newBuilder().setNode(node).setAddress(node + ":7946")
        .setIncarnation(3).setAnnouncement(ByteString.copyFrom(new byte[announcementBytes]))).build();
  }

  @Test
  void encodesExactlyWhatProtobufEncodes() throws Exception {
    SwimMessage ping = SwimMessage.newBuilder().setPing(Ping.newBuilder().setSeq(7).setTarget("b")).build();
    // 160 B announcements make the messages longer than 127 B: a two-byte length varint.
    List<SwimMessage> rest = List.of(alive("a", 0), alive("c", 160), alive("d", 1000));
    byte[] expected = Packet.newBuilder().addMessages(ping).addAllMessages(rest).build().toByteArray();
    byte[] got = Packets.encode(ping.toByteArray(), rest.stream().map(SwimMessage::toByteArray).toList());
    assertArrayEquals(expected, got);
    assertEquals(Packet.newBuilder().addAllMessages(rest).build(),
        Packet.newBuilder().mergeFrom(Packets.encode(null, rest.stream().map(SwimMessage::toByteArray).toList())).build(),
        "without a first message");
  }

  @Test
  void emptyPacketIsEmpty() {
    assertArrayEquals(Packet.getDefaultInstance().toByteArray(), Packets.encode(null, List.of()));
  }

  @Test
  void takeEncodedGivesTheSameMessagesInTheSameOrderAsTake() {
    BroadcastQueue a = new BroadcastQueue(SwimConfig.tuned(), () -> 1000, () -> { });
    BroadcastQueue b = new BroadcastQueue(SwimConfig.tuned(), () -> 1000, () -> { });
    for (int i = 0; i < 30; i++) {
      a.add("n" + i, alive("n" + i, 160));
      b.add("n" + i, alive("n" + i, 160));
    }
    for (int round = 0; round < 40; round++) {
      List<byte[]> encoded = b.takeEncoded(1400);
      assertArrayEquals(Packet.newBuilder().addAllMessages(a.take(1400)).build().toByteArray(),
          Packets.encode(null, encoded), "round " + round);
    }
  }
}

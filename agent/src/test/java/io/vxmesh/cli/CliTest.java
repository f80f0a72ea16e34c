package io.vxmesh.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import io.vxmesh.api.ApiServer;
import io.vxmesh.api.Caller;
import io.vxmesh.gossip.ClusterKey;
import io.vxmesh.proto.ForceLeaveRequest;
import io.vxmesh.proto.ForceLeaveResponse;
import io.vxmesh.proto.KeyringKey;
import io.vxmesh.proto.KeyringResponse;
import io.vxmesh.proto.LeaveResponse;
import io.vxmesh.proto.ListMembersResponse;
import io.vxmesh.proto.Member;
import io.vxmesh.proto.MemberNetwork;
import io.vxmesh.proto.NetworkStatus;
import io.vxmesh.proto.PeerRoutes;
import io.vxmesh.proto.Request;
import io.vxmesh.proto.Response;
import io.vxmesh.proto.RouteObject;
import io.vxmesh.proto.RoutesResponse;
import io.vxmesh.proto.StatusCount;
import io.vxmesh.proto.StatusResponse;
import io.vxmesh.testing.KernelTest;
import java.io.IOException;
import io.vxmesh.testing.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client commands against a real ApiServer with a canned agent behind it. */
class CliTest {
  @TempDir Path dir;
  Path socket;
  ApiServer server;
  final List<Caller> leaves = new CopyOnWriteArrayList<>();
  final List<ForceLeaveRequest> forceLeaves = new CopyOnWriteArrayList<>();
  String out;
  String err;

  static Member member(String name, String ip, String status, MemberNetwork... nets) {
    return Member.newBuilder().setName(name).setHostIp(ip).setAddress(ip + ":7947").setStatus(status)
        .setVersion("0.1.0").setGeneration(7).addAllNetworks(List.of(nets)).build();
  }

  static MemberNetwork net(int vni, String mac, String vtep, String pod) {
    return MemberNetwork.newBuilder().setVni(vni).setPort(4899).setVtepMac(mac).setVtepIp(vtep).setPodCidr(pod).setMtu(1450).build();
  }

  static final ListMembersResponse MEMBERS = ListMembersResponse.newBuilder()
      .addMembers(member("worker1", "10.211.55.6", "alive", net(10001, "7a:3a:fe:45:a3:76", "179.17.1.31/24", "10.234.112.0/24"))
          .toBuilder().setLastSeenUnixMs(System.currentTimeMillis() - 300_000).build())
      .addMembers(member("master1", "10.211.55.5", "alive", net(10001, "c2:6a:9b:e5:39:8d", "179.17.1.21/24", "10.234.111.0/24"),
          net(10002, "c2:6a:9b:e5:39:8e", "179.18.1.21/24", "10.235.111.0/24")).toBuilder().setSelf(true).build())
      .addMembers(member("intruder", "10.211.55.66", "untrusted").toBuilder().setReason("bad signature").build())
      .build();

  Response handle(Request req, Caller caller) {
    return switch (req.getKindCase()) {
      case LIST_MEMBERS -> Response.newBuilder().setListMembers(MEMBERS).build();
      case STATUS -> Response.newBuilder().setStatus(StatusResponse.newBuilder()
          .setNodeName("master1").setHostIp("10.211.55.5").setVersion("0.1.0").setUptimeMs(3_723_000).setReady(true)
          .addMemberCounts(StatusCount.newBuilder().setStatus("alive").setCount(2))
          .addMemberCounts(StatusCount.newBuilder().setStatus("untrusted").setCount(1))
          .setLastReconcileUnixMs(System.currentTimeMillis()).setLastReconcileResult("ok").setLastReconcileDurationUs(1500).setReconcilePasses(12)
          .addNetworks(NetworkStatus.newBuilder().setDevice("vxlan-test").setVni(10001).setPort(4899).setVtepMac("c2:6a:9b:e5:39:8d")
              .setVtepIp("179.17.1.21/24").setPodCidr("10.234.111.0/24").setMtu(1450).setDeviceUp(true).setPeersDesired(1).setPeersInstalled(1))
          .addRecentErrors("neighReplace 179.17.1.31: EINVAL")).build();
      case ROUTES -> Response.newBuilder().setRoutes(RoutesResponse.newBuilder().addPeers(PeerRoutes.newBuilder()
          .setPeer("worker1").setVni(10001).setDevice("vxlan-test")
          .addObjects(RouteObject.newBuilder().setKind("neighbour").setDescription("179.17.1.31 lladdr 7a:3a:fe:45:a3:76 nud permanent").setInstalled(true))
          .addObjects(RouteObject.newBuilder().setKind("route").setDescription("10.234.112.0/24 via 179.17.1.31 onlink").setInstalled(false)))).build();
      case LEAVE -> {
        leaves.add(caller);
        yield Response.newBuilder().setLeave(LeaveResponse.newBuilder().setOk(true).setMessage("left the mesh; peer entries removed")).build();
      }
      case FORCE_LEAVE -> {
        forceLeaves.add(req.getForceLeave());
        boolean ok = req.getForceLeave().getNode().equals("worker2") || req.getForceLeave().getPrune();
        yield Response.newBuilder().setForceLeave(ForceLeaveResponse.newBuilder().setOk(ok)
            .setMessage(ok ? "forgot " + req.getForceLeave().getNode() : req.getForceLeave().getNode() + " is alive and reachable")).build();
      }
      case KEYRING -> Response.newBuilder().setKeyring(KeyringResponse.newBuilder().setPeers(4).setUnverified(1)
          .setKeyFile("/etc/vxmesh/cluster.key")
          .addKeys(KeyringKey.newBuilder().setFingerprint("5c0e5a6b19d2f0a4").setPrimary(true).setPeers(3))
          .addKeys(KeyringKey.newBuilder().setFingerprint("9f31c2d07e8a6b15").setPeers(0))).build();
      default -> throw new IllegalStateException("unexpected " + req);
    };
  }

  @BeforeEach
  void start() throws IOException {
    socket = dir.resolve("vxmesh.sock");
    server = new ApiServer(socket, this::handle);
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  int run(String... args) {
    CliRun r = CliRun.of(args);
    out = r.out();
    err = r.err();
    return r.code();
  }

  @Test
  void membersTableIsSortedAndAligned() {
    assertEquals(0, run("members", "--socket", socket.toString()), err);
    List<String> lines = out.lines().toList();
    assertEquals(5, lines.size(), out);
    assertTrue(lines.get(0).matches("Node\\s+Address\\s+Status\\s+Last Seen\\s+VNI\\s+VTEP MAC\\s+VTEP IP\\s+Pod CIDR"), lines.get(0));
    assertTrue(lines.get(1).startsWith("intruder "), out);
    assertTrue(lines.get(2).startsWith("master1 (self) "), out);
    assertTrue(lines.get(3).trim().startsWith("10002"), "second network of master1 on its own row: " + out);
    assertTrue(lines.get(4).startsWith("worker1 "), out);
    int col = lines.get(0).indexOf("VTEP MAC");
    assertEquals(col, lines.get(2).indexOf("c2:6a:9b:e5:39:8d"), "columns aligned:\n" + out);
    assertEquals(col, lines.get(4).indexOf("7a:3a:fe:45:a3:76"), "columns aligned:\n" + out);
    assertTrue(lines.get(4).contains("10.211.55.6:7947") && lines.get(4).contains("alive") && lines.get(4).contains("179.17.1.31/24")
        && lines.get(4).endsWith("10.234.112.0/24"), lines.get(4));
  }

  @Test
  void membersLastSeenIsAnAgeForOthersOnly() {
    assertEquals(0, run("members", "--socket", socket.toString()), err);
    List<String> lines = out.lines().toList();
    int col = lines.get(0).indexOf("Last Seen");
    assertTrue(lines.get(4).substring(col).startsWith("5m "), "worker1 last seen 5 min ago:\n" + out);
    assertTrue(lines.get(2).substring(col).startsWith("   "), "no age for self:\n" + out);
    assertEquals("", MembersCommand.age(0, 1000));
    assertEquals("3s", MembersCommand.age(1_000, 4_999));
    assertEquals("0s", MembersCommand.age(5_000, 4_000), "clock skew is not negative");
    assertEquals("59m", MembersCommand.age(0 + 1, 3_599_001));
    assertEquals("2h", MembersCommand.age(1, 2 * 3_600_000 + 1));
    assertEquals("3d", MembersCommand.age(1, 72 * 3_600_000L + 1));
  }

  @Test
  void membersNameFilterIsAWholeNameRegex() throws Exception {
    assertEquals(0, run("members", "--name", "worker.*|intruder", "--socket", socket.toString()), err);
    assertEquals(3, out.lines().count(), out);
    assertTrue(out.contains("worker1") && out.contains("intruder") && !out.contains("master1"), out);
    assertEquals(2, run("members", "--name", "worker", "--socket", socket.toString()), "whole name, not a substring");
    assertEquals(0, run("members", "--name", "worker1", "--status", "alive", "-o", "json", "--socket", socket.toString()), err);
    JsonNode members = new ObjectMapper().readTree(out).get("members");
    assertEquals(1, members.size(), out);
    assertTrue(members.get(0).get("lastSeenUnixMs").isNumber(), "a JSON number: " + out);
    assertEquals(2, run("members", "--name", "(", "--socket", socket.toString()));
    assertTrue(err.contains("--name: not a regular expression"), err);
  }

  @Test
  void forceLeaveSendsNodeAndPruneAndExits1WhenRefused() {
    assertEquals(0, run("force-leave", "worker2", "--socket", socket.toString()), err);
    assertEquals("forgot worker2", out.strip());
    assertEquals(1, run("force-leave", "worker1", "--socket", socket.toString()));
    assertEquals("vxmesh: worker1 is alive and reachable", err.strip());
    assertEquals(0, run("force-leave", "--prune", "worker1", "--socket", socket.toString()), err);
    assertEquals(List.of(ForceLeaveRequest.newBuilder().setNode("worker2").build(), ForceLeaveRequest.newBuilder().setNode("worker1").build(),
        ForceLeaveRequest.newBuilder().setNode("worker1").setPrune(true).build()), forceLeaves);
    assertEquals(2, run("force-leave", "--socket", socket.toString()), "NODE is required");
    assertEquals(3, forceLeaves.size(), "usage errors never reach the agent");
  }

  @Test
  void keyringListShowsFingerprintsUseAndPeersAndNeedsTheListVerb() {
    assertEquals(0, run("keyring", "list", "--socket", socket.toString()), err);
    assertEquals(List.of("Fingerprint       Use       Peers", "5c0e5a6b19d2f0a4  primary   3/4", "9f31c2d07e8a6b15  accepted  0/4",
        "1 of 4 peers announce under none of these keys (a key this agent does not hold?)"), out.lines().map(String::stripTrailing).toList());
    assertEquals(0, run("keyring", "list", "-o", "json", "--socket", socket.toString()), err);
    assertTrue(out.contains("\"fingerprint\": \"5c0e5a6b19d2f0a4\"") && out.contains("\"unverified\": 1"), out);
    assertEquals(2, run("keyring"), "keyring alone is a usage error");
    assertTrue(err.contains("Missing command"), err);
  }

  @Test
  void membersDetailedAddsReasonVersionGeneration() {
    assertEquals(0, run("members", "--detailed", "--socket", socket.toString()), err);
    assertTrue(out.lines().findFirst().orElseThrow().endsWith("Reason         Version  Generation"), out);
    assertTrue(out.contains("bad signature"), out);
  }

  @Test
  void membersStatusFilterAndExit2WhenNothingMatches() {
    assertEquals(0, run("members", "--status", "untrusted|conflict", "--socket", socket.toString()), err);
    assertEquals(2, out.lines().count(), out);
    assertTrue(out.contains("intruder"), out);
    assertEquals(2, run("members", "--status", "fail.*", "--socket", socket.toString()));
    assertEquals("", out);
    assertEquals(2, run("members", "--status", "fail.*", "-o", "json", "--socket", socket.toString()));
    assertEquals("{}", out.strip());
  }

  @Test
  void membersJsonIsTheProto3Mapping() throws Exception {
    assertEquals(0, run("members", "-o", "json", "--socket", socket.toString()), err);
    for (String field : List.of("\"members\"", "\"name\"", "\"hostIp\"", "\"status\"", "\"networks\"", "\"vni\"", "\"vtepMac\"", "\"vtepIp\"", "\"podCidr\"")) {
      assertTrue(out.contains(field), field + " in " + out);
    }
    ListMembersResponse.Builder back = ListMembersResponse.newBuilder();
    JsonFormat.parser().merge(out, back);
    assertEquals(List.of("intruder", "master1", "worker1"), back.getMembersList().stream().map(Member::getName).toList());
    assertEquals("10.234.111.0/24", back.getMembers(1).getNetworks(0).getPodCidr());
  }

  /** proto3 JSON prints 64-bit integers as strings; -o json prints numbers, and stays parseable by JsonFormat. */
  @Test
  void jsonNumbersAreNumbers() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    assertEquals(0, run("members", "-o", "json", "--socket", socket.toString()), err);
    JsonNode members = mapper.readTree(out).get("members");
    for (JsonNode m : members) {
      assertTrue(m.get("generation").isIntegralNumber(), "generation is a number: " + m);
      assertEquals(7, m.get("generation").longValue());
      if (m.has("networks")) {
        assertTrue(m.get("networks").get(0).get("vni").isIntegralNumber(), m.toString());
      }
    }
    ListMembersResponse.Builder back = ListMembersResponse.newBuilder();
    JsonFormat.parser().merge(out, back);
    assertEquals(7, back.getMembers(0).getGeneration());

    assertEquals(0, run("status", "-o", "json", "--socket", socket.toString()), err);
    JsonNode status = mapper.readTree(out);
    for (String f : List.of("uptimeMs", "lastReconcileUnixMs", "lastReconcileDurationUs", "reconcilePasses")) {
      assertTrue(status.get(f).isIntegralNumber(), f + " is a number: " + out);
    }
    assertEquals(3_723_000, status.get("uptimeMs").longValue());
    assertEquals(12, status.get("reconcilePasses").longValue());
    assertTrue(status.get("memberCounts").get(0).get("count").isIntegralNumber(), out);
    assertTrue(status.get("nodeName").isTextual(), out);
    StatusResponse.Builder s = StatusResponse.newBuilder();
    JsonFormat.parser().merge(out, s);
    assertEquals(12, s.getReconcilePasses());

    assertEquals(0, run("routes", "-o", "json", "--socket", socket.toString()), err);
    RoutesResponse.Builder r = RoutesResponse.newBuilder();
    JsonFormat.parser().merge(out, r);
    assertFalse(r.getPeersList().isEmpty(), out);
  }

  /** A uint64 beyond Long.MAX_VALUE stays exact (unsigned), not negative. */
  @Test
  void jsonUint64AboveLongMaxIsExact() throws Exception {
    String json = ClientCommand.json(Member.newBuilder().setName("x").setGeneration(-1L).build());
    assertEquals("18446744073709551615", new ObjectMapper().readTree(json).get("generation").bigIntegerValue().toString(), json);
    assertTrue(json.contains("\"generation\": 18446744073709551615"), json);
    Member.Builder back = Member.newBuilder();
    JsonFormat.parser().merge(json, back);
    assertEquals(-1L, back.getGeneration());
  }

  @Test
  void statusSummarisesTheAgent() {
    assertEquals(0, run("status", "--socket", socket.toString()), err);
    assertTrue(out.contains("Node:       master1 (10.211.55.5)"), out);
    assertTrue(out.contains("Uptime:     1h2m"), out);
    assertTrue(out.contains("alive=2 untrusted=1"), out);
    assertTrue(out.contains("Reconcile:  ok, 0s ago, took 1.5 ms, 12 passes"), out);
    assertTrue(out.lines().anyMatch(l -> l.matches("vxlan-test\\s+10001\\s+4899\\s+c2:6a:9b:e5:39:8d.*yes\\s+1/1")), out);
    assertTrue(out.contains("neighReplace 179.17.1.31: EINVAL"), out);
    assertEquals(0, run("status", "-o", "json", "--socket", socket.toString()), err);
    assertTrue(out.contains("\"nodeName\": \"master1\""), out);
  }

  @Test
  void routesShowInstalledYesNo() {
    assertEquals(0, run("routes", "--socket", socket.toString()), err);
    List<String> lines = out.lines().toList();
    assertTrue(lines.get(0).matches("Peer\\s+VNI\\s+Device\\s+Kind\\s+Object\\s+Installed"), out);
    assertTrue(lines.get(1).startsWith("worker1") && lines.get(1).endsWith("yes"), out);
    assertTrue(lines.get(2).contains("route") && lines.get(2).endsWith("no"), out);
  }

  @KernelTest
  @Test
  void leaveAsRootReachesTheAgent() {
    assumeTrue(ProcessHandle.current().info().user().orElse("").equals("root"), "SKIPPED: leave as root needs root");
    assertEquals(0, run("leave", "--socket", socket.toString()), err);
    assertEquals("left the mesh; peer entries removed", out.strip());
    assertEquals(1, leaves.size());
  }

  @KernelTest
  @Test
  void leaveAsAnotherUserIsRefusedByTheServer() throws Exception {
    assertEquals("vxmesh: the agent says: leave needs root (uid 0); you are uid 65534", refusedForNobody("leave"));
    assertTrue(leaves.isEmpty(), "the handler never saw the leave");
  }

  /** Runs the real jar as uid 65534 against the 0666 socket; expects exit 1 and returns its stderr. */
  private String refusedForNobody(String... command) throws Exception {
    boolean root = ProcessHandle.current().info().user().orElse("").equals("root");
    assumeTrue(root, "SKIPPED LOUDLY: needs root to run the client as uid 65534");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "SKIPPED LOUDLY: setpriv (util-linux) missing");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
    List<String> argv = new java.util.ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
        javaBin(), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-jar", jar()));
    argv.addAll(List.of(command));
    argv.addAll(List.of("--socket", socket.toString()));
    Process p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "client finished");
    assertEquals(1, p.exitValue(), stderr);
    return stderr.strip();
  }

  @KernelTest
  @Test
  void forceLeaveAsAnotherUserIsRefusedByTheServer() throws Exception {
    assertEquals("vxmesh: the agent says: force-leave needs root (uid 0); you are uid 65534", refusedForNobody("force-leave", "worker2"));
    assertTrue(forceLeaves.isEmpty(), "the handler never saw the force-leave");
  }

  /**
   * A user outside the vxmesh group while the agent runs: the socket is there but not theirs
   * (mode 0660 root:root), or its directory is closed to them (/run/vxmesh is 0750). Either way
   * they must hear "permission denied" and how to get in, not "is vxmesh running?", and exit 77.
   */
  @KernelTest
  @Test
  void permissionDeniedOnTheSocketSaysHowToGetInAndExits77() throws Exception {
    assumeTrue(ProcessHandle.current().info().user().orElse("").equals("root"), "SKIPPED LOUDLY: needs root to run the client as uid 65534");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "SKIPPED LOUDLY: setpriv (util-linux) missing");
    assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)), "the server's socket mode");
    assertEquals(0, (Integer) Files.getAttribute(socket, "unix:gid"), "group root: uid 65534 is no member");
    String expected = "vxmesh: permission denied on " + socket + ": the API is for root and members of the 'vxmesh' group"
        + " (add yourself: sudo usermod -aG vxmesh $USER, then log in again)";
    for (String dirMode : List.of("rwxr-xr-x", "rwxr-x---")) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(dirMode));
      Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
          javaBin(), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-jar", jar(), "members", "--socket", socket.toString())
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "client finished");
      assertEquals(expected, stderr.strip(), "directory " + dirMode);
      assertEquals(77, p.exitValue(), "EX_NOPERM, directory " + dirMode);
    }
  }

  @Test
  void agentNotRunningIsOneLineAndExit1() {
    Path missing = dir.resolve("no/such.sock");
    for (String cmd : List.of("members", "status", "routes", "leave")) {
      assertEquals(1, run(cmd, "--socket", missing.toString()), cmd);
      assertEquals("vxmesh: cannot reach the agent at " + missing + ": no such file (is vxmesh running?)", err.strip(), cmd);
      assertEquals("", out, cmd);
    }
  }

  @Test
  void theRealJarHonoursVxmeshSocketAndPrintsNoStackTrace() throws Exception {
    Path missing = dir.resolve("absent.sock");
    ProcessBuilder pb = new ProcessBuilder(javaBin(), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-jar", jar(), "members");
    pb.environment().put("VXMESH_SOCKET", missing.toString());
    Process p = pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(1, p.exitValue(), stderr);
    assertEquals("vxmesh: cannot reach the agent at " + missing + ": no such file (is vxmesh running?)", stderr.strip());
  }

  @Test
  void keygenPrintsAKeyTheLoaderAccepts() {
    assertEquals(0, run("keygen"));
    ClusterKey.parse(out);
    assertEquals(1, out.lines().count());
    String first = out;
    run("keygen");
    assertFalse(first.equals(out), "keys are random");
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static String jar() {
    String jar = System.getProperty("vxmesh.jar", "target/vxmesh.jar");
    assertTrue(Files.isRegularFile(Path.of(jar)), "built jar at " + jar);
    return jar;
  }
}

package io.vxmesh.gossip;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

/**
 * The agent under a member flood, in its own JVM so its heap can be limited and measured alone:
 * {@code FloodVictimMain <name> <port> <seed> <clusterKeyBase64> <n> <maxMembers> <realPeer>}. Prints
 * READY once started; answers each {@code STATS} line on stdin with one line {@code STATS
 * listed=<members in the view> programmable=<programmable peers> real_peer=<its status or none>
 * refused=<member updates refused> heap_kb=<heap used after a full GC>}.
 */
public final class FloodVictimMain {
  private FloodVictimMain() {}

  public static void main(String[] args) throws Exception {
    GossipSettings s = Fixtures.settings(args[0], Integer.parseInt(args[1]), List.of(args[2]), ClusterKey.parse(args[3]),
        Integer.parseInt(args[4]));
    GossipSettings capped = new GossipSettings(s.nodeName(), s.advertise(), s.port(), s.bind(), s.seeds(), s.keyring().primary(), Fixtures.patient(),
        s.validation(), s.announcement(), Clock.systemUTC(), Integer.parseInt(args[5]));
    AtomixMembership m = new AtomixMembership(capped.withProtocol(GossipProtocol.parse(args.length > 7 ? args[7] : "vxmesh")));
    m.start();
    System.out.println("READY");
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.equals("STATS")) {
        MembershipView v = m.view();
        String real = v.members().stream().filter(x -> x.name().equals(args[6])).map(x -> x.status().label())
            .findFirst().orElse("none");
        System.gc();
        System.gc();
        Runtime rt = Runtime.getRuntime();
        long heapKb = (rt.totalMemory() - rt.freeMemory()) / 1024;
        System.out.println("STATS listed=" + v.members().size() + " programmable=" + v.programmablePeers().size()
            + " real_peer=" + real
            + " refused=" + m.stats().refusedMembers() + " heap_kb=" + heapKb);
        System.out.flush();
      }
    }
    m.close();
  }
}

package io.vxmesh.gossip;

import java.util.Arrays;
import java.util.List;

/**
 * A lone gossip member in its own JVM, for crash and freeze tests:
 * {@code GossipNodeMain <name> <port> <seed,...|-> <clusterKeyBase64> <n>}. Prints READY once started.
 */
public final class GossipNodeMain {
  private GossipNodeMain() {}

  public static void main(String[] args) throws Exception {
    List<String> seeds = args[2].equals("-") ? List.of() : Arrays.asList(args[2].split(","));
    AtomixMembership m = new AtomixMembership(Fixtures.settings(args[0], Integer.parseInt(args[1]), seeds,
        ClusterKey.parse(args[3]), Integer.parseInt(args[4])));
    int[] last = {-1};
    m.addListener(() -> {
      int n = m.view().programmablePeers().size();
      if (n != last[0] && m.view().complete()) {
        last[0] = n;
        System.out.println("PEERS " + n);
        System.out.flush();
      }
    });
    m.start();
    // SIGTERM path as in the agent: close() announces RESTARTING, then stops (no leave).
    Runtime.getRuntime().addShutdownHook(new Thread(m::close, "gossip-close"));
    System.out.println("READY");
    System.out.flush();
    Thread.currentThread().join();
  }
}

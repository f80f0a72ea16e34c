package io.vxmesh.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vxmesh.net.HostPort;
import io.vxmesh.net.JoinEntry;
import io.vxmesh.testing.LogCapture;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** A name looked up every few seconds logs its changes, not every lookup. */
class ResolveLogTest {
  private static final Set<HostPort> A = Set.of(HostPort.parse("10.0.0.5:7947"));
  private static final Set<HostPort> B = Set.of(HostPort.parse("10.0.0.6:7947"));

  @Test
  void aNewAnswerIsInfoTheSameAnswerAgainIsDebug() {
    try (LogCapture log = new LogCapture(RejoiningDiscovery.class)) {
      ResolveLog r = new ResolveLog(new JoinEntry.Name("seeds.example", 7947));
      r.resolved(A, 0);
      r.resolved(A, 1000);
      r.resolved(B, 2000);
      assertEquals(List.of(
          "INFO gossip join name resolved name=seeds.example:7947 addresses=[10.0.0.5:7947]",
          "INFO gossip join name resolved name=seeds.example:7947 addresses=[10.0.0.6:7947]"), log.lines("INFO"));
    }
  }

  @Test
  void failuresWarnOnceThenOncePerMinuteWithTheCountAndRecoveryIsInfo() {
    try (LogCapture log = new LogCapture(RejoiningDiscovery.class)) {
      ResolveLog r = new ResolveLog(new JoinEntry.Name("seeds.example", 7947));
      r.resolved(A, 0);
      r.failed(new CompletionException(new UnknownHostException("Failed to resolve 'seeds.example'")), A, 1000);
      for (int i = 2; i <= 30; i++) {
        r.failed(new TimeoutException(), A, i * 2000L); // every 2 s until 60 s
      }
      r.failed(new TimeoutException(), A, 61_000);
      r.resolved(A, 63_000);
      assertEquals(List.of(
          "WARN gossip join name not resolved name=seeds.example:7947 reason=\"Failed to resolve 'seeds.example'\""
              + " failures=1 keeping=[10.0.0.5:7947] (retried on the next join attempt)",
          "WARN gossip join name not resolved name=seeds.example:7947 reason=\"no answer within 5 s\""
              + " failures=31 keeping=[10.0.0.5:7947] (retried on the next join attempt)"), log.lines("WARN"));
      assertEquals("INFO gossip join name resolved name=seeds.example:7947 addresses=[10.0.0.5:7947] after_failures=31",
          log.lines("INFO").get(1));
    }
  }
}

package io.vxmesh.gossip;

import io.vxmesh.net.HostPort;
import io.vxmesh.net.JoinEntry;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log lines of one seed name's lookups, rate-limited: a name is looked up every few seconds
 * while its seeds are not all live, so only changes are INFO (a new answer) or WARN (the first
 * failure, then at most one per {@link #WARN_EVERY_MS} with the count); repeats are DEBUG.
 * Not thread-safe; {@link RejoiningDiscovery} calls it under its lock.
 */
final class ResolveLog {
  private static final Logger log = LoggerFactory.getLogger(RejoiningDiscovery.class);
  static final long WARN_EVERY_MS = 60_000;

  private final JoinEntry.Name name;
  private Set<HostPort> lastAnswer;
  private int failures;
  private long lastWarnMs;

  ResolveLog(JoinEntry.Name name) {
    this.name = name;
  }

  void resolved(Set<HostPort> answer, long now) {
    if (!answer.equals(lastAnswer) || failures > 0) {
      log.info("gossip join name resolved name={} addresses={}{}", name, answer,
          failures > 0 ? " after_failures=" + failures : "");
    } else {
      log.debug("gossip join name resolved name={} addresses={}", name, answer);
    }
    lastAnswer = answer;
    failures = 0;
  }

  void failed(Throwable err, Set<HostPort> keeping, long now) {
    failures++;
    String reason = reason(err);
    if (failures == 1 || now - lastWarnMs >= WARN_EVERY_MS) {
      lastWarnMs = now;
      log.warn("gossip join name not resolved name={} reason={} failures={} keeping={} (retried on the next join attempt)",
          name, reason, failures, keeping);
    } else {
      log.debug("gossip join name not resolved name={} reason={} failures={}", name, reason, failures);
    }
  }

  /** One line: the innermost useful message, or what kind of failure it was. */
  static String reason(Throwable err) {
    Throwable t = err;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t == null) {
      return "no address";
    }
    if (t instanceof TimeoutException) {
      return "no answer within " + DnsJoinResolver.LOOKUP_TIMEOUT.toSeconds() + " s";
    }
    String m = t.getMessage();
    return (m == null || m.isBlank() ? t.getClass().getSimpleName() : m).replace('\n', ' ').replace('"', '\'');
  }
}

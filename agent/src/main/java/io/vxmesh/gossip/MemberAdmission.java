package io.vxmesh.gossip;

import io.atomix.cluster.Member;
import io.atomix.cluster.messaging.MessagingService;
import io.atomix.cluster.messaging.UnicastService;
import io.atomix.utils.net.Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what a key holder can make this agent remember: at most {@code maxMembers} members
 * (self included), and no member whose properties exceed {@link #MAX_PROPERTY_CHARS}. Issue 12:
 * 2,000 signed fake members filled an agent's heap and its SWIM work (every suspicion is
 * broadcast to every member) until peers saw it as failed.
 *
 * <p>It sits between vxmesh's authenticated transports and Atomix's SWIM protocol
 * ({@link #messaging}, {@link #unicast}): every SWIM message that can introduce a member (gossip
 * updates, sync requests and answers, probes and probe answers) is decoded ({@link SwimCodec})
 * and members Atomix does not know yet are dropped from it once the limit is reached, before
 * Atomix stores them. Members already known keep every update, so existing members keep working;
 * new ones are refused until departed members are forgotten. Refusals are counted and logged
 * once per {@link #LOG_INTERVAL} in one line.
 *
 * <p>Known = what Atomix lists ({@link #known}, from the view refresh) plus what this filter let in
 * during the last {@link #GRACE} (Atomix applies updates on its own thread, later).
 * Thread-safe.
 */
final class MemberAdmission {
  private static final Logger log = LoggerFactory.getLogger(MemberAdmission.class);
  static final String GOSSIP = "atomix-membership-gossip";
  static final String SYNC = "atomix-membership-sync";
  static final String PROBE = "atomix-membership-probe";
  /** A member's properties, keys and values together; vxmesh sets one property of at most ~8 KiB. */
  static final int MAX_PROPERTY_CHARS = AnnouncementCodec.MAX_PROPERTY_CHARS + 256;
  static final int MAX_PROPERTIES = 4;
  /** Gossip payload per datagram, well under the 64 KB limit once the subject and MAC are added. */
  static final int DATAGRAM_BUDGET = 48 * 1024;
  static final Duration LOG_INTERVAL = Duration.ofSeconds(10);
  private static final Duration GRACE = Duration.ofSeconds(10);

  private final String self;
  private final int maxMembers;
  private final LongSupplier clockMs;
  private final Map<String, Long> admitted = new HashMap<>(); // id -> when let in (0: listed by Atomix)
  private long refused;
  private long refusedAtLastLog;
  private long lastLogMs = Long.MIN_VALUE / 2;

  MemberAdmission(String self, int maxMembers, LongSupplier clockMs) {
    if (maxMembers < 2) {
      throw new IllegalArgumentException("max members must be at least 2, not " + maxMembers);
    }
    this.self = self;
    this.maxMembers = maxMembers;
    this.clockMs = clockMs;
    admitted.put(self, 0L);
  }

  int maxMembers() {
    return maxMembers;
  }

  /** Member updates refused since start (each member of each message once). */
  synchronized long refused() {
    return refused;
  }

  /** The members Atomix lists now; forgets what it no longer lists (after the grace period). */
  synchronized void known(Set<String> ids) {
    long now = clockMs.getAsLong();
    admitted.entrySet().removeIf(e -> !ids.contains(e.getKey()) && !e.getKey().equals(self)
        && now - e.getValue() > GRACE.toMillis());
    for (String id : ids) {
      admitted.put(id, 0L);
    }
  }

  /** Whether an update about {@code m} may reach Atomix; a new member takes a place if one is free. */
  synchronized boolean admit(Member m, Address from) {
    String id = m.id().id();
    String problem = null;
    int chars = 0;
    for (String k : m.properties().stringPropertyNames()) {
      chars += k.length() + m.properties().getProperty(k).length();
    }
    if (m.properties().size() > MAX_PROPERTIES || chars > MAX_PROPERTY_CHARS) {
      problem = "announcement too large (" + m.properties().size() + " properties, " + chars + " chars, limit "
          + MAX_PROPERTY_CHARS + ")";
    } else if (id.equals(self) || admitted.containsKey(id)) {
      return true;
    } else if (admitted.size() >= maxMembers) {
      problem = "member limit reached (gossip.max_members = " + maxMembers + ")";
    } else {
      admitted.put(id, clockMs.getAsLong());
      return true;
    }
    refused++;
    long now = clockMs.getAsLong();
    if (now - lastLogMs >= LOG_INTERVAL.toMillis()) {
      log.warn("member refused node={} reason={} from={} refused_since_last_line={} refused_total={}",
          id, problem, from, refused - refusedAtLastLog, refused);
      lastLogMs = now;
      refusedAtLastLog = refused;
    }
    return false;
  }

  /**
   * {@code payload} with the members that may not reach Atomix taken out: the same bytes when
   * nothing is taken out, null when the whole message must be dropped (it is about a refused
   * member). Payloads that do not decode go through unchanged: Atomix judges them as before.
   */
  byte[] filter(String subject, byte[] payload, Address from) {
    if (!subject.equals(GOSSIP) && !subject.equals(SYNC) && !subject.equals(PROBE)) {
      return payload;
    }
    Object message;
    try {
      message = SwimCodec.decode(payload);
    } catch (RuntimeException e) {
      return payload;
    }
    if (message instanceof Member m) {
      return admit(m, from) ? payload : null;
    }
    if (message instanceof Map.Entry<?, ?> pair) { // a probe: (prober, probed)
      return pair.getKey() instanceof Member m && !admit(m, from) ? null : payload;
    }
    if (message instanceof Collection<?> members) {
      List<Object> kept = new ArrayList<>(members.size());
      for (Object o : members) {
        if (!(o instanceof Member m) || admit(m, from)) {
          kept.add(o);
        }
      }
      return kept.size() == members.size() ? payload : SwimCodec.encode(kept);
    }
    return payload;
  }

  /** Atomix's TCP messaging with {@link #filter} on requests received and on answers to requests sent. */
  MessagingService messaging(MessagingService delegate) {
    return new MessagingService() {
      @Override
      public Address address() {
        return delegate.address();
      }

      @Override
      public CompletableFuture<Void> sendAsync(Address address, String type, byte[] payload, boolean keepAlive) {
        return delegate.sendAsync(address, type, payload, keepAlive);
      }

      private CompletableFuture<byte[]> answer(Address address, String type, CompletableFuture<byte[]> f) {
        return f.thenApply(r -> {
          byte[] kept = filter(type, r, address);
          if (kept == null) {
            throw new SecurityException("answer about a refused member from " + address);
          }
          return kept;
        });
      }

      @Override
      public CompletableFuture<byte[]> sendAndReceive(Address address, String type, byte[] payload, boolean keepAlive) {
        return answer(address, type, delegate.sendAndReceive(address, type, payload, keepAlive));
      }

      @Override
      public CompletableFuture<byte[]> sendAndReceive(Address address, String type, byte[] payload, boolean keepAlive, Executor executor) {
        return answer(address, type, delegate.sendAndReceive(address, type, payload, keepAlive, executor));
      }

      @Override
      public CompletableFuture<byte[]> sendAndReceive(Address address, String type, byte[] payload, boolean keepAlive, Duration timeout) {
        return answer(address, type, delegate.sendAndReceive(address, type, payload, keepAlive, timeout));
      }

      @Override
      public CompletableFuture<byte[]> sendAndReceive(Address address, String type, byte[] payload, boolean keepAlive, Duration timeout,
          Executor executor) {
        return answer(address, type, delegate.sendAndReceive(address, type, payload, keepAlive, timeout, executor));
      }

      @Override
      public void registerHandler(String type, BiConsumer<Address, byte[]> handler, Executor executor) {
        delegate.registerHandler(type, (from, p) -> {
          byte[] kept = filter(type, p, from);
          if (kept != null) {
            handler.accept(from, kept);
          }
        }, executor);
      }

      @Override
      public void registerHandler(String type, BiFunction<Address, byte[], byte[]> handler, Executor executor) {
        delegate.registerHandler(type, (BiFunction<Address, byte[], byte[]>) (from, p) -> {
          byte[] kept = filter(type, p, from);
          if (kept == null) {
            throw new SecurityException("refused member in " + type + " from " + from);
          }
          return handler.apply(from, kept);
        }, executor);
      }

      @Override
      public void registerHandler(String type, BiFunction<Address, byte[], CompletableFuture<byte[]>> handler) {
        delegate.registerHandler(type, (BiFunction<Address, byte[], CompletableFuture<byte[]>>) (from, p) -> {
          byte[] kept = filter(type, p, from);
          return kept == null ? CompletableFuture.failedFuture(new SecurityException("refused member in " + type + " from " + from))
              : handler.apply(from, kept);
        });
      }

      @Override
      public void unregisterHandler(String type) {
        delegate.unregisterHandler(type);
      }
    };
  }

  /**
   * SWIM gossips all pending updates in one datagram; with many members changing at once (a
   * flood, or a large mesh restarting) that exceeds the 64 KB a datagram can carry and the whole
   * batch was dropped, this agent's own refutation of a suspicion with it, so peers declared it
   * failed. Lists over {@link #DATAGRAM_BUDGET} are sent as several datagrams, this agent's own
   * update in the first.
   */
  List<byte[]> split(String subject, byte[] message) {
    if (!subject.equals(GOSSIP) || message.length <= DATAGRAM_BUDGET) {
      return List.of(message);
    }
    Object decoded;
    try {
      decoded = SwimCodec.decode(message);
    } catch (RuntimeException e) {
      return List.of(message);
    }
    if (!(decoded instanceof Collection<?> updates) || updates.size() < 2) {
      return List.of(message);
    }
    List<Object> ordered = new ArrayList<>(updates.size());
    for (Object o : updates) {
      if (o instanceof Member m && m.id().id().equals(self)) {
        ordered.add(0, o);
      } else {
        ordered.add(o);
      }
    }
    int parts = (int) Math.min(ordered.size(), (long) message.length / DATAGRAM_BUDGET + 1);
    int per = (ordered.size() + parts - 1) / parts;
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < ordered.size(); i += per) {
      out.add(SwimCodec.encode(new ArrayList<>(ordered.subList(i, Math.min(ordered.size(), i + per)))));
    }
    return out;
  }

  /** Atomix's UDP gossip with {@link #filter} on what is received and {@link #split} on what is sent. */
  UnicastService unicast(UnicastService delegate) {
    Map<BiConsumer<Address, byte[]>, BiConsumer<Address, byte[]>> wrapped = new java.util.concurrent.ConcurrentHashMap<>();
    return new UnicastService() {
      @Override
      public void unicast(Address address, String subject, byte[] message) {
        for (byte[] part : split(subject, message)) {
          delegate.unicast(address, subject, part);
        }
      }

      @Override
      public void addListener(String subject, BiConsumer<Address, byte[]> listener, Executor executor) {
        BiConsumer<Address, byte[]> w = (from, p) -> {
          byte[] kept = filter(subject, p, from);
          if (kept != null) {
            listener.accept(from, kept);
          }
        };
        wrapped.put(listener, w);
        delegate.addListener(subject, w, executor);
      }

      @Override
      public void removeListener(String subject, BiConsumer<Address, byte[]> listener) {
        BiConsumer<Address, byte[]> w = wrapped.remove(listener);
        delegate.removeListener(subject, w != null ? w : listener);
      }
    };
  }
}

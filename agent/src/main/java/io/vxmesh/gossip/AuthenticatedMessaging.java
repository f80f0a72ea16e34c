package io.vxmesh.gossip;

import io.atomix.cluster.messaging.ManagedMessagingService;
import io.atomix.cluster.messaging.MessagingService;
import io.atomix.utils.net.Address;
import io.vxmesh.net.HostPort;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Wraps Atomix's TCP messaging so that every request and every response payload carries a
 * {@link PacketAuth} MAC. Handlers registered by Atomix (SWIM probe, sync, probe-request) see a
 * payload only after it authenticated; a forged message is dropped undecoded, counted, and the
 * sender gets an error. Responses are authenticated too (type {@code "resp:" + type}), so a
 * man in the middle cannot feed Kryo either.
 *
 * <p>It also enforces the caller's timeout itself: Atomix 3.1.12's own timeout does not fire
 * when the peer is frozen (kill -STOP: the kernel accepts the TCP connection, nobody answers),
 * which made frozen members linger ~37 s (FACTS.md). With this, a probe of a frozen member fails
 * after the probe timeout like any other.
 */
final class AuthenticatedMessaging implements ManagedMessagingService {
  private final ManagedMessagingService delegate;
  private final PacketAuth auth;
  private final PacketFilter filter;
  private final BiConsumer<Address, String> onRequest;
  /** The {@code transport} label of this transport's traffic counters. */
  static final String TCP = "tcp";

  /**
   * @param filter which requests are sent and received at all ({@link PacketFilter#PASS_ALL} but in tests)
   * @param onRequest told (address, type) for every request sent; drives the re-join backoff
   */
  AuthenticatedMessaging(ManagedMessagingService delegate, PacketAuth auth, PacketFilter filter,
      BiConsumer<Address, String> onRequest) {
    this.delegate = delegate;
    this.auth = auth;
    this.filter = filter;
    this.onRequest = onRequest;
  }

  private static HostPort key(Address a) {
    return AtomixAddresses.hostPort(a);
  }

  @Override
  public Address address() {
    return delegate.address();
  }

  @Override
  public CompletableFuture<Void> sendAsync(Address address, String type, byte[] payload, boolean keepAlive) {
    return filteredOr(address, type, () -> delegate.sendAsync(address, type, sealOut(type, payload), keepAlive));
  }

  @Override
  public CompletableFuture<byte[]> sendAndReceive(Address address, String type, byte[] payload, boolean keepAlive) {
    return verified(address, type, filteredOr(address, type, () -> delegate.sendAndReceive(address, type, sealOut(type, payload), keepAlive)), null);
  }

  @Override
  public CompletableFuture<byte[]> sendAndReceive(Address address, String type, byte[] payload, boolean keepAlive, Executor executor) {
    return verified(address, type, filteredOr(address, type, () -> delegate.sendAndReceive(address, type, sealOut(type, payload), keepAlive, executor)), null);
  }

  @Override
  public CompletableFuture<byte[]> sendAndReceive(Address address, String type, byte[] payload, boolean keepAlive, Duration timeout) {
    return verified(address, type, filteredOr(address, type, () -> delegate.sendAndReceive(address, type, sealOut(type, payload), keepAlive, timeout)), timeout);
  }

  @Override
  public CompletableFuture<byte[]> sendAndReceive(
      Address address, String type, byte[] payload, boolean keepAlive, Duration timeout, Executor executor) {
    return verified(address, type,
        filteredOr(address, type, () -> delegate.sendAndReceive(address, type, sealOut(type, payload), keepAlive, timeout, executor)), timeout);
  }

  private <T> CompletableFuture<T> filteredOr(Address address, String type, Supplier<CompletableFuture<T>> send) {
    if (!filter.passes(key(address), type)) {
      return CompletableFuture.failedFuture(new ConnectException("dropped by the packet filter: " + type + " to " + address));
    }
    return send.get();
  }

  private CompletableFuture<byte[]> verified(Address address, String type, CompletableFuture<byte[]> response, Duration timeout) {
    onRequest.accept(address, type);
    CompletableFuture<byte[]> out = response.thenApply(frame -> {
      auth.traffic(TCP, "in", frame == null ? 0 : frame.length);
      byte[] payload = auth.openFrom(key(address), "resp:" + type, frame);
      if (payload == null) {
        throw new SecurityException("unauthenticated response from " + address + " to " + type);
      }
      return payload;
    });
    if (timeout != null) {
      out = out.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    return out;
  }

  /** The payload if the filter passes it and it is authentic; counts an inauthentic one; else null. */
  private byte[] admit(Address from, String type, byte[] frame) {
    if (!filter.passes(key(from), type)) {
      return null;
    }
    auth.traffic(TCP, "in", frame == null ? 0 : frame.length);
    return auth.openFrom(key(from), type, frame);
  }

  /** Seals an outgoing request or response and counts it as sent. */
  private byte[] sealOut(String type, byte[] payload) {
    byte[] frame = auth.seal(type, payload);
    auth.traffic(TCP, "out", frame.length);
    return frame;
  }

  private SecurityException refused(Address from, String type) {
    return new SecurityException("dropped unauthenticated " + type + " from " + from);
  }

  @Override
  public void registerHandler(String type, BiConsumer<Address, byte[]> handler, Executor executor) {
    delegate.registerHandler(type, (from, frame) -> {
      byte[] p = admit(from, type, frame);
      if (p != null) {
        handler.accept(from, p);
      }
    }, executor);
  }

  @Override
  public void registerHandler(String type, BiFunction<Address, byte[], byte[]> handler, Executor executor) {
    delegate.registerHandler(type, (BiFunction<Address, byte[], byte[]>) (from, frame) -> {
      byte[] p = admit(from, type, frame);
      if (p == null) {
        throw refused(from, type);
      }
      return sealOut("resp:" + type, handler.apply(from, p));
    }, executor);
  }

  @Override
  public void registerHandler(String type, BiFunction<Address, byte[], CompletableFuture<byte[]>> handler) {
    delegate.registerHandler(type, (BiFunction<Address, byte[], CompletableFuture<byte[]>>) (from, frame) -> {
      byte[] p = admit(from, type, frame);
      if (p == null) {
        return CompletableFuture.failedFuture(refused(from, type));
      }
      return handler.apply(from, p).thenApply(r -> sealOut("resp:" + type, r));
    });
  }

  @Override
  public void unregisterHandler(String type) {
    delegate.unregisterHandler(type);
  }

  @Override
  public CompletableFuture<MessagingService> start() {
    return delegate.start().thenApply(m -> this);
  }

  @Override
  public boolean isRunning() {
    return delegate.isRunning();
  }

  @Override
  public CompletableFuture<Void> stop() {
    return delegate.stop();
  }
}

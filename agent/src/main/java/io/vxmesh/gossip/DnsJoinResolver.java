package io.vxmesh.gossip;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.DefaultHostsFileEntriesResolver;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.NoopAuthoritativeDnsServerCache;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.UnixResolverDnsServerAddressStreamProvider;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link JoinResolver} over Netty's DNS resolver, because the JDK's cannot be used: the agent
 * sets {@code jdk.net.hosts.file} so that {@code InetAddress} never asks DNS (Atomix
 * reverse-resolves every inbound connection on its event loop, and a dead DNS server stalled the
 * mesh; see Main.prepare). Netty's resolver is non-blocking and has its own timeouts.
 *
 * <p>Each lookup reads {@code /etc/hosts} and {@code /etc/resolv.conf} afresh (as glibc notices
 * a changed resolv.conf) and asks for A records only: gossip is IPv4 (see the config's join
 * check). Nothing is cached, so every (re)join attempt sees the name's current addresses. A
 * query times out after {@link #QUERY_TIMEOUT}; the whole lookup, with retries over the listed
 * servers and search domains, after {@link #LOOKUP_TIMEOUT}.
 *
 * <p>Threading: one daemon thread of its own ("vxmesh-dns"), separate from Atomix's Netty event
 * loops and from the agent's threads; {@link #resolve} only hands the lookup to it.
 */
final class DnsJoinResolver implements JoinResolver {
  static final Duration QUERY_TIMEOUT = Duration.ofSeconds(2);
  static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(5);
  private static final String RESOLV_CONF = "/etc/resolv.conf";
  private static final String RESOLVER_DIR = "/etc/resolver";

  private final EventLoopGroup loop = new NioEventLoopGroup(1, r -> {
    Thread t = new Thread(r, "vxmesh-dns");
    t.setDaemon(true);
    return t;
  });

  @Override
  public CompletableFuture<List<Inet4Address>> resolve(String name) {
    CompletableFuture<List<Inet4Address>> out = new CompletableFuture<>();
    try {
      loop.execute(() -> lookup(name, out));
    } catch (RuntimeException e) { // RejectedExecutionException after close()
      out.completeExceptionally(e);
    }
    return out.orTimeout(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** On the DNS thread: a resolver for this one lookup, built from the current files. */
  private void lookup(String name, CompletableFuture<List<Inet4Address>> out) {
    DnsNameResolver resolver;
    try {
      if (!Path.of(RESOLV_CONF).toFile().isFile()) {
        throw new UnknownHostException(RESOLV_CONF + " does not exist");
      }
      resolver = new DnsNameResolverBuilder(loop.next())
          .channelType(NioDatagramChannel.class)
          .socketChannelType(NioSocketChannel.class) // TCP fallback for truncated answers
          .nameServerProvider(new UnixResolverDnsServerAddressStreamProvider(RESOLV_CONF, RESOLVER_DIR))
          .hostsFileEntriesResolver(new DefaultHostsFileEntriesResolver())
          .resolvedAddressTypes(ResolvedAddressTypes.IPV4_ONLY)
          .queryTimeoutMillis(QUERY_TIMEOUT.toMillis())
          .resolveCache(NoopDnsCache.INSTANCE)
          .cnameCache(NoopDnsCnameCache.INSTANCE)
          .authoritativeDnsServerCache(NoopAuthoritativeDnsServerCache.INSTANCE)
          .build();
    } catch (Exception e) {
      out.completeExceptionally(e);
      return;
    }
    resolver.resolveAll(name).addListener(f -> {
      resolver.close();
      if (!f.isSuccess()) {
        out.completeExceptionally(f.cause());
        return;
      }
      List<Inet4Address> v4 = new ArrayList<>();
      @SuppressWarnings("unchecked")
      List<InetAddress> all = (List<InetAddress>) f.getNow();
      for (InetAddress a : all) {
        if (a instanceof Inet4Address i && !v4.contains(i)) {
          v4.add(i);
        }
      }
      if (v4.isEmpty()) {
        out.completeExceptionally(new UnknownHostException(name + " has no IPv4 address"));
      } else {
        out.complete(List.copyOf(v4));
      }
    });
  }

  @Override
  public void close() {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}

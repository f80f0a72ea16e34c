package io.vxmesh.gossip;

import java.net.Inet4Address;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Resolves the DNS names of {@code [gossip] join} to IPv4 addresses. Asynchronous by contract:
 * {@link #resolve} is called on Atomix's SWIM thread and must return at once, never doing a
 * lookup or file read there; a slow or dead DNS server only delays that one name.
 */
interface JoinResolver extends AutoCloseable {
  /**
   * Every IPv4 address {@code name} has now (none cached across calls); completes
   * exceptionally with the reason when it has none or the lookup failed or timed out.
   */
  CompletableFuture<List<Inet4Address>> resolve(String name);

  @Override
  void close();
}

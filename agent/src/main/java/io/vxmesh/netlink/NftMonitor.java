package io.vxmesh.netlink;

import io.vxmesh.netlink.nl.NetlinkSocket;
import io.vxmesh.netlink.nl.Nft;
import java.util.function.Consumer;

/**
 * {@code nft monitor}: a netfilter socket subscribed to NFNLGRP_NFTABLES, read on its own
 * daemon thread. The listener gets the name of the table each change is about (a table,
 * chain, rule, set or element added or deleted), or the empty string when notifications were
 * lost (ENOBUFS) and anything may have changed. It runs on the monitor thread and must be
 * quick. {@link #close()} stops the thread within ~250 ms.
 */
public final class NftMonitor implements AutoCloseable {
  /** What the listener gets when notifications were lost. */
  public static final String OVERRUN = "";
  private final NotificationThread<String> thread;

  private NftMonitor(NetlinkSocket sock, Consumer<String> listener) {
    this.thread = new NotificationThread<>("nftables-monitor", sock, NftCodec::tableOf, listener, OVERRUN);
  }

  /** Starts a monitor in the current network namespace. */
  public static NftMonitor start(Consumer<String> listener) {
    return new NftMonitor(NetlinkSocket.openNetfilter(Nft.NFNLGRP_NFTABLES), listener);
  }

  /** Starts a monitor inside the named network namespace. */
  public static NftMonitor startIn(String netns, Consumer<String> listener) {
    return new NftMonitor(NetlinkSocket.openNetfilterIn(netns, Nft.NFNLGRP_NFTABLES), listener);
  }

  @Override
  public void close() {
    thread.close();
  }
}

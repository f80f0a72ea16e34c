package io.vxmesh.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify datagrams read back from a real AF_UNIX datagram socket, as systemd would. */
class SdNotifyTest {

  @Test
  void readyAndStatusArriveAsSystemdExpectsThem(@TempDir Path dir) throws Exception {
    Path sock = dir.resolve("notify.sock");
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    try {
      Channel ch = new Bootstrap()
          .group(group)
          .channel(EpollDomainDatagramChannel.class)
          .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket p) {
              got.add(p.content().toString(StandardCharsets.UTF_8));
            }
          })
          .bind(new DomainSocketAddress(sock.toFile()))
          .sync()
          .channel();
      try (SdNotify n = SdNotify.forSocket(sock.toString())) {
        n.ready("joined mesh, 2 peers");
        n.status("2 alive");
        assertEquals("READY=1\nSTATUS=joined mesh, 2 peers", got.poll(5, TimeUnit.SECONDS));
        assertEquals("STATUS=2 alive", got.poll(5, TimeUnit.SECONDS));
      }
      ch.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
    assertNotNull(Files.getLastModifiedTime(sock));
  }

  @Test
  void withoutNotifySocketEverythingIsANoOp() {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("NOTIFY_SOCKET") == null, "NOTIFY_SOCKET is set in this environment");
    SdNotify n = SdNotify.fromEnvironment();
    assertFalse(n.enabled());
    n.ready("x"); // must not throw
  }

  @Test
  void abstractSocketNamesStartWithNul() {
    byte[] a = SdNotify.sockaddrUn("@vxmesh/notify");
    assertEquals(1, a[0]);
    assertEquals(0, a[2]);
    assertEquals('v', a[3]);
    byte[] p = SdNotify.sockaddrUn("/run/systemd/notify");
    assertEquals(0, p[p.length - 1]);
  }
}

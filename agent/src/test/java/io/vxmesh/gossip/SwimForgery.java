package io.vxmesh.gossip;

import io.atomix.cluster.MemberId;
import io.atomix.cluster.protocol.SwimMembershipProtocol;
import io.atomix.utils.Version;
import io.atomix.utils.net.Address;
import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A holder of the cluster key speaking SWIM by hand: it sends authenticated gossip datagrams (the
 * transport vxmesh uses, {@link PacketAuth}) carrying Atomix member updates it made up, each with
 * a correctly signed announcement. What a compromised host, or a stolen key, can do to a mesh.
 * Atomix's member class is package-private; it is built by reflection, and the payload is
 * encoded with Atomix's own serializer ({@link SwimCodec}).
 */
final class SwimForgery {
  private static final int MEMBERS_PER_DATAGRAM = 40;
  private final PacketAuth auth;
  private final AnnouncementCodec codec;
  private final Constructor<?> member;
  private final Object alive;

  SwimForgery(ClusterKey key) throws ReflectiveOperationException {
    this.auth = new PacketAuth(key, Clock.systemUTC());
    this.codec = new AnnouncementCodec(key);
    Class<?> immutable = Class.forName(SwimMembershipProtocol.class.getName() + "$ImmutableMember");
    Class<?> state = Class.forName(SwimMembershipProtocol.class.getName() + "$State");
    this.member = immutable.getDeclaredConstructor(MemberId.class, Address.class, String.class, String.class, String.class,
        Properties.class, Version.class, long.class, state, long.class);
    member.setAccessible(true);
    this.alive = java.util.Arrays.stream(state.getEnumConstants()).filter(c -> c.toString().equals("ALIVE")).findFirst()
        .orElseThrow();
  }

  /**
   * Fake member {@code i}: a signed announcement of its own VTEP MAC, VTEP IP and pod CIDR, at
   * {@code address}. Its VTEP IP lies outside the mesh's VTEP prefix (so it is never programmed
   * and takes no claim from a real member: claim theft is another attack) but it is held like
   * any member.
   */
  Object fake(int i, Address address, long incarnation) throws ReflectiveOperationException {
    String name = String.format("fake-%05d", i);
    Announced a = new Announced(name, IpAddresses.parse(address.host()), List.of(new Announced.Network(Fixtures.VNI, 4899,
        new MacAddress(new byte[] {0x02, 0x66, 0x00, 0x00, (byte) (i >> 8), (byte) i}),
        new IpPrefix(IpAddresses.parse("179.18." + (i >> 8) + "." + (i & 0xff)), 24),
        IpPrefix.parse("10." + (100 + i / 256) + "." + (i % 256) + ".0/24"), 1450)), 1, Announced.State.ALIVE, System.currentTimeMillis(), "0.1.0");
    Properties p = new Properties();
    p.setProperty(AnnouncementCodec.PROPERTY, codec.seal(a));
    return member(name, address, p, incarnation);
  }

  /** An ALIVE SWIM member update as Atomix sends it. */
  Object member(String name, Address address, Properties p, long incarnation) throws ReflectiveOperationException {
    return member.newInstance(MemberId.from(name), address, null, null, null, p, Version.from("1.0.0"),
        System.currentTimeMillis(), alive, incarnation);
  }

  /**
   * The datagrams that gossip fake members {@code 0..count-1}, all at {@code fakeAddress}, each
   * with one incarnation and one signed announcement: sent again and again, they re-add what
   * SWIM declared dead meanwhile, as a host that keeps announcing them would.
   */
  List<byte[]> datagrams(int count, Address fakeAddress, long incarnation) throws ReflectiveOperationException {
    List<byte[]> out = new ArrayList<>();
    for (int start = 0; start < count; start += MEMBERS_PER_DATAGRAM) {
      List<Object> batch = new ArrayList<>();
      for (int i = start; i < Math.min(count, start + MEMBERS_PER_DATAGRAM); i++) {
        batch.add(fake(i, fakeAddress, incarnation));
      }
      byte[] subject = MemberAdmission.GOSSIP.getBytes(StandardCharsets.UTF_8);
      byte[] payload = SwimCodec.encode(batch);
      out.add(ByteBuffer.allocate(2 + subject.length).putShort((short) subject.length).put(subject).array());
      out.set(out.size() - 1, concat(out.get(out.size() - 1), payload));
    }
    return out;
  }

  /**
   * The same fake members for vxmesh's own protocol ({@link VxmeshSwimProtocol}): Packets of
   * Alive broadcasts (swim.proto) at {@code fakeAddress}, one incarnation, signed announcements.
   * Send them with {@link #send(DatagramSocket, InetSocketAddress, List, String)} and subject
   * {@link VxmeshSwimProtocol#DATAGRAM}.
   */
  List<byte[]> vxmeshDatagrams(int count, Address fakeAddress, long incarnation) throws ReflectiveOperationException {
    List<byte[]> out = new ArrayList<>();
    String address = fakeAddress.host() + ":" + fakeAddress.port();
    for (int start = 0; start < count; start += MEMBERS_PER_DATAGRAM) {
      io.vxmesh.proto.swim.Packet.Builder packet = io.vxmesh.proto.swim.Packet.newBuilder();
      for (int i = start; i < Math.min(count, start + MEMBERS_PER_DATAGRAM); i++) {
        Object m = fake(i, fakeAddress, incarnation);
        io.atomix.cluster.Member member = (io.atomix.cluster.Member) m;
        String sealed = member.properties().getProperty(AnnouncementCodec.PROPERTY);
        packet.addMessagesBuilder().setAlive(io.vxmesh.proto.swim.Alive.newBuilder().setNode(member.id().id())
            .setAddress(address).setIncarnation(incarnation)
            .setAnnouncement(com.google.protobuf.ByteString.copyFrom(sealed, StandardCharsets.ISO_8859_1)));
      }
      out.add(packet.build().toByteArray());
    }
    return out;
  }

  /** Sends payloads made by {@link #vxmeshDatagrams} (no subject prefix), each sealed now under {@code subject}. */
  void send(DatagramSocket socket, InetSocketAddress target, List<byte[]> payloads, String subject) throws IOException {
    byte[] s = subject.getBytes(StandardCharsets.UTF_8);
    for (byte[] payload : payloads) {
      byte[] frame = auth.seal(subject, payload);
      ByteBuffer b = ByteBuffer.allocate(2 + s.length + frame.length);
      b.putShort((short) s.length).put(s).put(frame);
      socket.send(new DatagramPacket(b.array(), b.position(), target));
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /** Sends datagrams made by {@link #datagrams}, each sealed now (fresh timestamp, as the transport does). */
  void send(DatagramSocket socket, InetSocketAddress target, List<byte[]> datagrams) throws IOException {
    byte[] subject = MemberAdmission.GOSSIP.getBytes(StandardCharsets.UTF_8);
    for (byte[] d : datagrams) {
      byte[] payload = java.util.Arrays.copyOfRange(d, 2 + subject.length, d.length);
      byte[] frame = auth.seal(MemberAdmission.GOSSIP, payload);
      ByteBuffer b = ByteBuffer.allocate(2 + subject.length + frame.length);
      b.putShort((short) subject.length).put(subject).put(frame);
      socket.send(new DatagramPacket(b.array(), b.position(), target));
    }
  }
}

package io.vxmesh.gossip;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import io.vxmesh.proto.Announcement;
import io.vxmesh.proto.NetworkAnnouncement;
import io.vxmesh.proto.SignedAnnouncement;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Encodes, signs, decodes and verifies the announcement carried in the one Atomix member
 * property {@link #PROPERTY}. The property value is base64(SignedAnnouncement), where the HMAC
 * (cluster key, SHA-256) covers the exact encoded Announcement bytes, so verification never
 * depends on re-encoding.
 *
 * <p>The one place where announcement bytes become an {@link Announced} and back: {@link #open}
 * verifies, parses and checks every field's form (address lengths, prefix lengths); anything
 * malformed is reported like a bad signature, with the field named ("VNI 10001: VTEP MAC
 * malformed"), and the member is UNTRUSTED. {@link #seal} writes the protobuf wire format.
 *
 * <p>Sealed with the keyring's primary key, opened under any of its keys (primary first); the
 * result names the key that verified, so operators can see which peers still sign with an old
 * key before removing it. The keyring is swapped whole on reload ({@link #use}).
 *
 * <p>{@link #open} never throws: arbitrary strings from the network yield a {@link Decoded}
 * naming what was wrong, and only a verified, well-formed announcement is ever returned as such.
 */
public final class AnnouncementCodec {
  /** The member property key; overwritten on every change, never removed (FACTS.md). */
  public static final String PROPERTY = "vxmesh.announcement";
  /** Anything longer is rejected before base64 decoding (a real one is ~200 chars). */
  static final int MAX_PROPERTY_CHARS = 8192;

  private volatile Keyring keyring;

  public AnnouncementCodec(ClusterKey key) {
    this(Keyring.of(key));
  }

  public AnnouncementCodec(Keyring keyring) {
    this.keyring = keyring;
  }

  /** From now on seal with {@code next}'s primary key and accept any of its keys. */
  public void use(Keyring next) {
    keyring = next;
  }

  /** The property value for {@code announcement}. */
  public String seal(Announced announcement) {
    byte[] body = encode(announcement).toByteArray();
    SignedAnnouncement signed = SignedAnnouncement.newBuilder()
        .setAnnouncement(ByteString.copyFrom(body))
        .setHmac(ByteString.copyFrom(keyring.primary().hmac(body)))
        .build();
    return Base64.getEncoder().encodeToString(signed.toByteArray());
  }

  /**
   * Result of {@link #open}: the announcement when verified, else the reason (never both).
   * {@code signer} is the fingerprint of the key whose signature verified ("" when none did).
   */
  public record Decoded(Optional<Announced> announcement, String problem, String signer) {
    static Decoded ok(Announced a) {
      return new Decoded(Optional.of(a), "", "");
    }

    static Decoded bad(String problem) {
      return new Decoded(Optional.empty(), problem, "");
    }

    Decoded signedBy(String fingerprint) {
      return new Decoded(announcement, problem, fingerprint);
    }

    public boolean verified() {
      return announcement.isPresent();
    }
  }

  /** Decodes and verifies a property value; never throws. */
  public Decoded open(String property) {
    try {
      if (property == null || property.isEmpty()) {
        return Decoded.bad("no announcement");
      }
      if (property.length() > MAX_PROPERTY_CHARS) {
        return Decoded.bad("announcement too large (" + property.length() + " chars)");
      }
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(property);
      } catch (IllegalArgumentException e) {
        return Decoded.bad("announcement is not base64");
      }
      SignedAnnouncement signed;
      try {
        signed = SignedAnnouncement.parseFrom(raw);
      } catch (InvalidProtocolBufferException e) {
        return Decoded.bad("announcement undecodable");
      }
      byte[] body = signed.getAnnouncement().toByteArray();
      if (signed.getHmac().isEmpty()) {
        return Decoded.bad("announcement unsigned");
      }
      ClusterKey signer = null;
      byte[] mac = signed.getHmac().toByteArray();
      for (ClusterKey k : keyring.keys()) {
        if (k.verify(body, mac)) {
          signer = k;
          break;
        }
      }
      if (signer == null) {
        return Decoded.bad("announcement signature invalid (different cluster key?)");
      }
      Announcement parsed;
      try {
        parsed = Announcement.parseFrom(body);
      } catch (InvalidProtocolBufferException e) {
        return Decoded.bad("signed announcement undecodable");
      }
      Decoded d = decode(parsed);
      return d.verified() ? d.signedBy(signer.fingerprint()) : d;
    } catch (RuntimeException e) {
      // Defensive: protobuf or base64 misbehaving on hostile input must not reach the caller.
      return Decoded.bad("announcement undecodable: " + e.getClass().getSimpleName());
    }
  }

  /** The wire form of {@code a}: addresses as raw bytes (4 or 16), the MAC as 6. */
  static Announcement encode(Announced a) {
    Announcement.Builder b = Announcement.newBuilder()
        .setNodeName(a.nodeName())
        .setHostIp(ByteString.copyFrom(a.hostIp().getAddress()))
        .setGeneration(a.generation())
        .setVersion(a.version())
        .setState(switch (a.state()) {
          case ALIVE -> Announcement.State.ALIVE;
          case LEAVING -> Announcement.State.LEAVING;
          case RESTARTING -> Announcement.State.RESTARTING;
        })
        .setClaimedAtMs(a.claimedAtMs())
        .addAllUpheld(a.upheld());
    for (Announced.Network n : a.networks()) {
      b.addNetworks(NetworkAnnouncement.newBuilder()
          .setVni(n.vni())
          .setPort(n.port())
          .setVtepMac(ByteString.copyFrom(n.vtepMac().bytes()))
          .setVtepIp(ByteString.copyFrom(n.vtepIp().address().getAddress()))
          .setVtepPrefixLen(n.vtepIp().prefixLength())
          .setPodCidrAddr(ByteString.copyFrom(n.podCidr().address().getAddress()))
          .setPodCidrPrefixLen(n.podCidr().prefixLength())
          .setMtu(n.mtu()));
    }
    return b.build();
  }

  /** The typed form of a verified announcement, or what is malformed in it. */
  static Decoded decode(Announcement a) {
    InetAddress host = address(a.getHostIp());
    if (host == null) {
      return Decoded.bad("host IP malformed (" + a.getHostIp().size() + " bytes)");
    }
    List<Announced.Network> networks = new ArrayList<>();
    for (NetworkAnnouncement n : a.getNetworksList()) {
      if (n.getVtepMac().size() != 6) {
        return Decoded.bad("VNI " + n.getVni() + ": VTEP MAC malformed");
      }
      IpPrefix vtep = prefix(n.getVtepIp(), n.getVtepPrefixLen());
      if (vtep == null) {
        return Decoded.bad("VNI " + n.getVni() + ": VTEP IP malformed");
      }
      IpPrefix pods = prefix(n.getPodCidrAddr(), n.getPodCidrPrefixLen());
      if (pods == null) {
        return Decoded.bad("VNI " + n.getVni() + ": pod CIDR malformed");
      }
      networks.add(new Announced.Network(n.getVni(), n.getPort(), new MacAddress(n.getVtepMac().toByteArray()), vtep,
          pods, n.getMtu()));
    }
    Announced.State state = switch (a.getState()) {
      case LEAVING -> Announced.State.LEAVING;
      case RESTARTING -> Announced.State.RESTARTING;
      // A state this version does not know is neither a departure nor a restart.
      case ALIVE, UNRECOGNIZED -> Announced.State.ALIVE;
    };
    return Decoded.ok(new Announced(a.getNodeName(), host, networks, a.getGeneration(), state, a.getClaimedAtMs(),
        a.getVersion(), a.getUpheldList()));
  }

  private static InetAddress address(ByteString b) {
    if (b.size() != 4 && b.size() != 16) {
      return null;
    }
    try {
      return InetAddress.getByAddress(b.toByteArray());
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** {@code raw/len}, or null when the address has the wrong length or len exceeds its bits. */
  private static IpPrefix prefix(ByteString raw, int len) {
    InetAddress addr = address(raw);
    if (addr == null || len < 0 || len > raw.size() * 8) {
      return null;
    }
    return new IpPrefix(addr, len);
  }
}

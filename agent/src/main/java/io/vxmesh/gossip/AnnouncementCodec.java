package io.vxmesh.gossip;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vxmesh.proto.Announcement;
import io.vxmesh.proto.SignedAnnouncement;
import java.util.Base64;
import java.util.Optional;

/**
 * Encodes, signs, decodes and verifies the announcement carried in the one Atomix member
 * property {@link #PROPERTY}. The property value is base64(SignedAnnouncement), where the HMAC
 * (cluster key, SHA-256) covers the exact encoded Announcement bytes, so verification never
 * depends on re-encoding.
 *
 * <p>{@link #open} never throws: arbitrary strings from the network yield a {@link Decoded}
 * naming what was wrong, and only a verified announcement is ever returned as such.
 */
public final class AnnouncementCodec {
  /** The member property key; overwritten on every change, never removed (FACTS.md). */
  public static final String PROPERTY = "vxmesh.announcement";
  /** Anything longer is rejected before base64 decoding (a real one is ~200 chars). */
  static final int MAX_PROPERTY_CHARS = 8192;

  private final ClusterKey key;

  public AnnouncementCodec(ClusterKey key) {
    this.key = key;
  }

  /** The property value for {@code announcement}. */
  public String seal(Announcement announcement) {
    byte[] body = announcement.toByteArray();
    SignedAnnouncement signed = SignedAnnouncement.newBuilder()
        .setAnnouncement(ByteString.copyFrom(body))
        .setHmac(ByteString.copyFrom(key.hmac(body)))
        .build();
    return Base64.getEncoder().encodeToString(signed.toByteArray());
  }

  /** Result of {@link #open}: the announcement when verified, else the reason (never both). */
  public record Decoded(Optional<Announcement> announcement, String problem) {
    static Decoded ok(Announcement a) {
      return new Decoded(Optional.of(a), "");
    }

    static Decoded bad(String problem) {
      return new Decoded(Optional.empty(), problem);
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
      if (!key.verify(body, signed.getHmac().toByteArray())) {
        return Decoded.bad("announcement signature invalid (different cluster key?)");
      }
      try {
        return Decoded.ok(Announcement.parseFrom(body));
      } catch (InvalidProtocolBufferException e) {
        return Decoded.bad("signed announcement undecodable");
      }
    } catch (RuntimeException e) {
      // Defensive: protobuf or base64 misbehaving on hostile input must not reach the caller.
      return Decoded.bad("announcement undecodable: " + e.getClass().getSimpleName());
    }
  }
}

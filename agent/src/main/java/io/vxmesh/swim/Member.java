package io.vxmesh.swim;

import java.util.Arrays;
import java.util.Objects;

/**
 * One member as a node sees it: a snapshot, not a live view.
 *
 * @param name unique node name
 * @param address opaque transport address
 * @param incarnation the member's own counter; only it raises it (refutation, metadata change)
 * @param status alive, suspect, dead or left
 * @param announcement the member's opaque, signed announcement bytes (not copied: never mutate)
 */
public record Member(String name, String address, long incarnation, MemberStatus status, byte[] announcement) {
  public Member {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(announcement, "announcement");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Member m && name.equals(m.name) && address.equals(m.address) && incarnation == m.incarnation
        && status == m.status && Arrays.equals(announcement, m.announcement);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, address, incarnation, status, Arrays.hashCode(announcement));
  }

  @Override
  public String toString() {
    return "Member[" + name + "@" + address + " inc=" + incarnation + " " + status + " announcement=" + announcement.length + "B]";
  }
}

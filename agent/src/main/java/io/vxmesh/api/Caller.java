package io.vxmesh.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.net.UnixDomainPrincipal;

/**
 * Who is on the other end of an API connection, from the kernel's peer credentials
 * (SO_PEERCRED), not from anything the client says.
 *
 * @param uid the peer's user id; -1 when its name could not be mapped to a number
 * @param user the peer's user name as the JDK reports it
 */
public record Caller(int uid, String user) {
  public boolean isRoot() {
    return uid == 0;
  }

  /**
   * The JDK gives user names, not numbers: it prints the number when there is no passwd entry,
   * otherwise the name, which we map back through {@code /etc/passwd} (where root always is).
   */
  static Caller of(UnixDomainPrincipal principal, Path passwd) {
    String name = principal.user().getName();
    return new Caller(uid(name, passwd), name);
  }

  static int uid(String name, Path passwd) {
    if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
      try {
        return Integer.parseInt(name);
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(passwd, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return -1;
    }
    for (String line : lines) {
      String[] f = line.split(":", -1);
      if (f.length > 2 && f[0].equals(name)) {
        try {
          return Integer.parseInt(f[2]);
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }
}

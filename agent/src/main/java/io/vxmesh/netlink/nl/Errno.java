package io.vxmesh.netlink.nl;

import java.util.Map;

/** errno numbers (Linux, x86-64/arm64 generic) to their names, for error messages. */
public final class Errno {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int ESRCH = 3;
  public static final int EINTR = 4;
  public static final int EAGAIN = 11;
  public static final int EEXIST = 17;
  public static final int ENODEV = 19;
  public static final int EINVAL = 22;
  public static final int ENODATA = 61;
  public static final int ERESTART = 85;
  public static final int EMSGSIZE = 90;
  public static final int EADDRNOTAVAIL = 99;
  public static final int ENOBUFS = 105;

  private static final Map<Integer, String> NAMES = Map.ofEntries(
      Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(3, "ESRCH"), Map.entry(4, "EINTR"),
      Map.entry(5, "EIO"), Map.entry(6, "ENXIO"), Map.entry(7, "E2BIG"), Map.entry(9, "EBADF"),
      Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"), Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"),
      Map.entry(16, "EBUSY"), Map.entry(17, "EEXIST"), Map.entry(18, "EXDEV"), Map.entry(19, "ENODEV"),
      Map.entry(20, "ENOTDIR"), Map.entry(22, "EINVAL"), Map.entry(23, "ENFILE"), Map.entry(24, "EMFILE"),
      Map.entry(28, "ENOSPC"), Map.entry(34, "ERANGE"), Map.entry(61, "ENODATA"), Map.entry(71, "EPROTO"),
      Map.entry(75, "EOVERFLOW"), Map.entry(85, "ERESTART"), Map.entry(88, "ENOTSOCK"), Map.entry(90, "EMSGSIZE"),
      Map.entry(92, "ENOPROTOOPT"), Map.entry(93, "EPROTONOSUPPORT"), Map.entry(95, "EOPNOTSUPP"),
      Map.entry(97, "EAFNOSUPPORT"), Map.entry(98, "EADDRINUSE"), Map.entry(99, "EADDRNOTAVAIL"),
      Map.entry(100, "ENETDOWN"), Map.entry(101, "ENETUNREACH"), Map.entry(105, "ENOBUFS"),
      Map.entry(107, "ENOTCONN"), Map.entry(110, "ETIMEDOUT"), Map.entry(113, "EHOSTUNREACH"));

  private Errno() {}

  /** E.g. 22 → "EINVAL"; unknown numbers print as "errno 123". */
  public static String name(int errno) {
    return NAMES.getOrDefault(Math.abs(errno), "errno " + Math.abs(errno));
  }
}

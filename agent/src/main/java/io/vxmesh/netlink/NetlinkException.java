package io.vxmesh.netlink;

import io.vxmesh.netlink.nl.Errno;

/**
 * The one error type of the netlink layer. It names the operation (e.g. {@code RTM_NEWROUTE},
 * or a syscall such as {@code sendto}), the errno name and, when the kernel sent one, its
 * extended-ack text: {@code RTM_NEWROUTE 10.9.0.0/16: ENODEV (Nexthop device required for onlink)}
 * from a verb (which adds the object), {@code RTM_NEWROUTE: EINVAL (Nexthop id does not exist)}
 * from a {@link NetlinkBatch} operation.
 */
public final class NetlinkException extends RuntimeException {
  private final String operation;
  private final int errno;
  private final String kernelMessage;

  public NetlinkException(String operation, int errno, String kernelMessage) {
    super(format(operation, errno, kernelMessage));
    this.operation = operation;
    this.errno = Math.abs(errno);
    this.kernelMessage = kernelMessage == null || kernelMessage.isEmpty() ? null : kernelMessage;
  }

  private static String format(String op, int errno, String msg) {
    String s = op + ": " + Errno.name(errno);
    return msg == null || msg.isEmpty() ? s : s + " (" + msg + ")";
  }

  /** The request or syscall that failed, e.g. {@code RTM_NEWNEIGH} or {@code socket}. */
  public String operation() {
    return operation;
  }

  /** Positive errno, e.g. 22 for EINVAL. */
  public int errno() {
    return errno;
  }

  /** The kernel's extended-ack message, or null when it sent none. */
  public String kernelMessage() {
    return kernelMessage;
  }

  /** A copy of this error with a more precise operation name (e.g. naming the object). */
  public NetlinkException withOperation(String op) {
    return new NetlinkException(op, errno, kernelMessage);
  }
}

package io.vxmesh.netlink.nl;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few libc calls rtnetlink needs, bound by jnr-ffi. errno is saved after every call.
 * Public only because jnr-ffi implements it in a class loader of its own (a package-private
 * interface fails with IllegalAccessError); nothing outside this package uses it.
 */
public interface LibC {
  int socket(int domain, int type, int protocol);

  int bind(int fd, @In Pointer addr, int addrlen);

  @ssize_t
  long sendto(int fd, @In Pointer buf, @size_t long len, int flags, @In Pointer addr, int addrlen);

  @ssize_t
  long recvfrom(int fd, @Out Pointer buf, @size_t long len, int flags, @Out Pointer addr, @Out Pointer addrlen);

  int setsockopt(int fd, int level, int optname, @In Pointer optval, int optlen);

  int close(int fd);

  int open(String path, int flags);

  int setns(int fd, int nstype);
}

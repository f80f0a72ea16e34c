package io.vxmesh.netlink.nl;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * libc bound once per JVM (binding generates code, so it is loaded lazily and shared; the
 * binding itself is stateless). Helpers for errno and small structs.
 */
final class Sys {
  static final LibC C = LibraryLoader.create(LibC.class).load("c");
  static final Runtime RT = Runtime.getRuntime(C);

  private Sys() {}

  static int errno() {
    return LastError.getLastError(RT);
  }

  static Pointer alloc(int size) {
    return Memory.allocateDirect(RT, size, true);
  }

  /** setsockopt with an int value; returns errno or 0. */
  static int setInt(int fd, int level, int opt, int value) {
    Pointer p = alloc(4);
    p.putInt(0, value);
    return C.setsockopt(fd, level, opt, p, 4) < 0 ? errno() : 0;
  }
}

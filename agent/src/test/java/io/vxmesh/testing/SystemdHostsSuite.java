package io.vxmesh.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Boots real Debian hosts with {@code systemd-nspawn} and installs the .deb in them (minutes,
 * a cached rootfs, root). Tagged {@value #TAG} and {@value KernelTest#TAG}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(SystemdHostsSuite.TAG)
@Tag(KernelTest.TAG)
public @interface SystemdHostsSuite {
  String TAG = "systemd-hosts";
}

package io.vxmesh.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Needs root and the real kernel (network namespaces, netlink, another uid). Tagged
 * {@value #TAG} so a run without root can leave it out: {@code -DexcludedGroups=kernel}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(KernelTest.TAG)
public @interface KernelTest {
  String TAG = "kernel";
}

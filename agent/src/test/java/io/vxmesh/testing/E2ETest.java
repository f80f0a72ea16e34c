package io.vxmesh.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * End to end: real agent processes ({@code java -jar vxmesh.jar agent}) in namespace hosts.
 * Tagged {@value #TAG} and, since it needs root and the kernel too, {@value KernelTest#TAG}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(E2ETest.TAG)
@Tag(KernelTest.TAG)
public @interface E2ETest {
  String TAG = "e2e";
}

package io.resnetspark.udf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelPlacementTest {
  private static final String CPU = "/job:localhost/replica:0/task:0/device:CPU:0";
  private static final String GPU = "/job:localhost/replica:0/task:0/device:GPU:0";

  @Test
  void aCpuExecutorWithoutAGpuRunsWhereItWasAskedTo() {
    ModelPlacement p = ModelPlacement.of("1/4242@host", null, Set.of(CPU));
    assertEquals("1/4242@host", p.executor());
    assertNull(p.gpu());
    assertEquals(List.of("/device:CPU:0"), p.devices(), "TensorFlow's long device names are shortened");
    assertNull(p.cpuFallback());
    assertFalse(p.onGpu());
  }

  @Test
  void anAssignedGpuThatTensorFlowLacksIsACpuFallbackWithItsReason() {
    ModelPlacement p = ModelPlacement.of("0/17@host", "1", Set.of(CPU));
    assertEquals("1", p.gpu());
    assertFalse(p.onGpu());
    assertTrue(p.cpuFallback().startsWith("no CUDA device: Spark assigned GPU 1, but TensorFlow has no GPU"),
        p.cpuFallback());
    assertTrue(p.cpuFallback().endsWith("runs on /device:CPU:0"), p.cpuFallback());
  }

  @Test
  void anAssignedGpuThatRunsTheNetworkIsNoFallbackEvenIfSomeOpsStayOnTheCpu() {
    // Soft placement keeps a few ops (shapes, constants) on the CPU even on a GPU build.
    ModelPlacement p = ModelPlacement.of("0/17@host", "0", List.of(GPU, CPU, GPU));
    assertTrue(p.onGpu());
    assertNull(p.cpuFallback());
    assertEquals(List.of("/device:CPU:0", "/device:GPU:0"), p.devices(), "distinct and sorted");
  }

  @Test
  void devicesWithoutTheJobPrefixAreKeptAsTheyAre() {
    assertEquals("/device:CPU:0", ModelPlacement.shortName("/device:CPU:0"));
    assertEquals("CPU:0", ModelPlacement.shortName("CPU:0"));
  }

  @Test
  void travelsToTheDriverInAnAccumulatorSoItIsSerializableAndImmutable() throws Exception {
    List<String> devices = new ArrayList<>(List.of("/device:CPU:0"));
    ModelPlacement p = new ModelPlacement("2/1@h", "0", devices, "why");
    devices.add("/device:GPU:7");
    assertEquals(List.of("/device:CPU:0"), p.devices(), "a defensive copy");
    assertThrows(UnsupportedOperationException.class, () -> p.devices().add("x"));
    assertEquals(p, roundTrip(p));
    assertThrows(NullPointerException.class, () -> new ModelPlacement(null, null, List.of(), null));
  }

  private static Object roundTrip(Object o) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return in.readObject();
    }
  }
}

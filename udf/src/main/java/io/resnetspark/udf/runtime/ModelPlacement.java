package io.resnetspark.udf.runtime;

import java.io.Serializable;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where one executor JVM runs a model it loaded: the GPU Spark assigned to the loading task (null when none) and the
 * devices TensorFlow actually placed the network on. A GPU is only a request: a CPU-only native library, or a host
 * without that CUDA device, runs the network on the CPU, and {@link #cpuFallback()} says so. Sent to the driver in the
 * model's accumulator, so a run can report per executor what the executor logs would otherwise hide.
 *
 * @param executor {@code executorId/pid@host} of the JVM that loaded the model
 * @param gpu the address of the {@value SessionSettings#GPU_RESOURCE} resource Spark assigned, or null
 * @param devices TensorFlow's devices that ran the network, shortened to {@code /device:TYPE:N}, sorted
 * @param cpuFallback why a requested GPU is not used, or null when the model runs where it was asked to
 */
public record ModelPlacement(String executor, String gpu, List<String> devices, String cpuFallback)
    implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final String DEVICE_PART = "/device:";

  public ModelPlacement {
    Objects.requireNonNull(executor, "executor");
    devices = List.copyOf(devices);
  }

  /** The placement of a model loaded with {@code gpu} requested (or null), given the devices of a traced run. */
  public static ModelPlacement of(String executor, String gpu, Collection<String> tensorflowDevices) {
    List<String> devices = tensorflowDevices.stream().map(ModelPlacement::shortName).distinct().sorted().toList();
    String fallback = null;
    if (gpu != null && devices.stream().noneMatch(ModelPlacement::isGpu)) {
      fallback = "no CUDA device: Spark assigned GPU " + gpu + ", but TensorFlow has no GPU (a CPU-only native "
          + "library, or no such device on this host), so the model runs on " + String.join(", ", devices);
    }
    return new ModelPlacement(executor, gpu, devices, fallback);
  }

  /** True when TensorFlow ran at least part of the network on a GPU. */
  public boolean onGpu() {
    return devices.stream().anyMatch(ModelPlacement::isGpu);
  }

  /** {@code /job:localhost/replica:0/task:0/device:CPU:0} becomes {@code /device:CPU:0}; the rest is the same everywhere. */
  static String shortName(String device) {
    int at = device.indexOf(DEVICE_PART);
    return at < 0 ? device : device.substring(at);
  }

  private static boolean isGpu(String device) {
    return device.toUpperCase(Locale.ROOT).contains("GPU");
  }
}

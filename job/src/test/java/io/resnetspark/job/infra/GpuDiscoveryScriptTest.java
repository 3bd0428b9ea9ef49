package io.resnetspark.job.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.testing.ProjectFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/gpu-discovery.sh} prints what Spark's resource discovery expects, from fake addresses or from
 * nvidia-smi, and refuses malformed input instead of handing Spark a broken JSON.
 */
class GpuDiscoveryScriptTest {

    @Test
    void reportsTheFakeAddressesItIsGiven() throws Exception {
        Result result = discover(Map.of("RESNET_SPARK_FAKE_GPUS", "0,1"));

        assertEquals(0, result.exitCode);
        assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\"]}", result.stdout);
    }

    @Test
    void anEmptyFakeListMeansNoGpus() throws Exception {
        Result result = discover(Map.of("RESNET_SPARK_FAKE_GPUS", ""));

        assertEquals(0, result.exitCode);
        assertEquals("{\"name\":\"gpu\",\"addresses\":[]}", result.stdout);
    }

    @Test
    void withoutFakesItAsksNvidiaSmi(@TempDir Path bin) throws Exception {
        Path nvidiaSmi = bin.resolve("nvidia-smi");
        Files.writeString(nvidiaSmi, "#!/bin/sh\nprintf '0\\n1\\n3\\n'\n");
        Files.setPosixFilePermissions(nvidiaSmi, PosixFilePermissions.fromString("rwxr-xr-x"));

        Result result = discover(Map.of("PATH", bin + ":/usr/bin:/bin"));

        assertEquals(0, result.exitCode);
        assertEquals("{\"name\":\"gpu\",\"addresses\":[\"0\",\"1\",\"3\"]}", result.stdout);
    }

    @Test
    void withNeitherItReportsNoGpusAndSaysWhy(@TempDir Path emptyBin) throws Exception {
        Result result = discover(Map.of("PATH", emptyBin + ":/usr/bin:/bin"));

        assertEquals(0, result.exitCode);
        assertEquals("{\"name\":\"gpu\",\"addresses\":[]}", result.stdout);
        assertTrue(result.stderr.contains("no nvidia-smi"), result.stderr);
    }

    @Test
    void malformedAddressesFailTheDiscovery() throws Exception {
        Result result = discover(Map.of("RESNET_SPARK_FAKE_GPUS", "0,gpu1"));

        assertEquals(1, result.exitCode);
        assertEquals("", result.stdout);
        assertTrue(result.stderr.contains("comma-separated numbers"), result.stderr);
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }

    private static Result discover(Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", ProjectFiles.script("gpu-discovery.sh").toString());
        builder.environment().remove("RESNET_SPARK_FAKE_GPUS");
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return new Result(process.exitValue(), stdout, stderr);
    }
}

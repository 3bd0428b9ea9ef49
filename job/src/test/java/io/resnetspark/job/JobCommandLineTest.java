package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.testing.ProjectFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** {@code --config FILE}: options for repeatable runs, under the command line. */
class JobCommandLineTest {
  @TempDir
  Path dir;

  Path config(String... lines) throws IOException {
    return Files.write(dir.resolve("job.properties"), List.of(lines));
  }

  @Test
  void theFileSuppliesOptionsTheCommandLineLacks() throws IOException {
    Path file = config("input = /lake/images", "output = /lake/labels", "model = /models/r50", "batch-size = 16",
        "embeddings = true", "extensions = jpg,png", "mode = incremental");
    JobOptions o = JobCommandLine.parse("--config", file.toString()).options();
    assertEquals(List.of("/lake/images"), o.inputs());
    assertEquals("/lake/labels", o.output());
    assertEquals(16, o.batchSize());
    assertTrue(o.embeddings());
    assertEquals(List.of("jpg", "png"), o.extensionFilter());
    assertEquals(JobOptions.Mode.INCREMENTAL, o.mode());
  }

  @Test
  void theCommandLineWinsOverTheFile() throws IOException {
    Path file = config("input = /lake/images", "output = /lake/labels", "model = /models/r50", "batch-size = 16");
    JobOptions o = JobCommandLine.parse("--batch-size", "4", "--config=" + file, "--output", "/tmp/x").options();
    assertEquals(4, o.batchSize());
    assertEquals("/tmp/x", o.output());
    assertEquals(List.of("/lake/images"), o.inputs());
  }

  @Test
  void anUnknownKeyIsAConfigErrorNamingTheValidKeys() throws IOException {
    Path file = config("batchsize = 16");
    ConfigException e = assertThrows(ConfigException.class, () -> JobCommandLine.parse("--config", file.toString()));
    assertTrue(e.getMessage().contains("unknown key 'batchsize'"), e.getMessage());
    assertTrue(e.getMessage().contains("batch-size"), e.getMessage());
  }

  @Test
  void aMissingFileIsAConfigError() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> JobCommandLine.parse("--config", dir.resolve("nope.properties").toString()));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void configMayBeGivenOnce() throws IOException {
    Path file = config("top-k = 3");
    assertThrows(CommandLine.ParameterException.class,
        () -> JobCommandLine.parse("--config", file.toString(), "--config", file.toString()));
    assertThrows(CommandLine.ParameterException.class, () -> JobCommandLine.parse("--config"));
  }

  @Test
  void keysAreTheLongOptionNamesWithoutConfigAndHelp() {
    Set<String> keys = JobCommandLine.keys(new CommandLine(new JobOptions()).getCommandSpec());
    assertTrue(keys.containsAll(Set.of("input", "output", "model", "arch", "weights", "batch-size", "top-k",
        "embeddings", "mode", "max-error-rate", "run-id", "master", "partitions", "bytes-per-partition")), keys.toString());
    assertTrue(!keys.contains("config") && !keys.contains("help") && !keys.contains("version"), keys.toString());
  }

  /** conf/job-defaults.properties documents the defaults: loading it changes nothing and misses no option. */
  @Test
  void theShippedDefaultsFileHoldsExactlyTheBuiltInDefaults() throws IOException {
    Path shipped = ProjectFiles.conf("job-defaults.properties");
    String[] required = {"--input", "/i", "--output", "/o", "--model", "/m"};
    CommandLine plain = JobCommandLine.parse(required).commandLine();
    List<String> withConfig = new ArrayList<>(List.of(required));
    withConfig.addAll(List.of("--config", shipped.toString()));
    CommandLine configured = JobCommandLine.parse(withConfig.toArray(String[]::new)).commandLine();
    for (OptionSpec option : plain.getCommandSpec().options()) {
      if (option.longestName().equals("--config")) {
        continue;
      }
      Object expected = option.getValue();
      Object actual = configured.getCommandSpec().findOption(option.longestName()).getValue();
      assertEquals(String.valueOf(expected), String.valueOf(actual), option.longestName());
    }
    String text = Files.readString(shipped);
    for (String key : JobCommandLine.keys(plain.getCommandSpec())) {
      assertTrue(text.contains("\n" + key + " =") || text.contains("\n#" + key + " ="),
          "conf/job-defaults.properties documents " + key);
    }
  }
}

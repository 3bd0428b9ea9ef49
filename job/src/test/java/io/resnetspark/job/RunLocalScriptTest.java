package io.resnetspark.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.resnetspark.job.testing.ProjectFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/run-local.sh takes the same Spark settings options as scripts/submit.sh (--s3a, --properties, --conf,
 * through scripts/lib/spark-conf.sh) and hands them to the job's JVM as system properties. Run on a copy of the
 * scripts and conf/ with a stand-in job jar and a stand-in java that records its arguments; RunLocalScriptIT
 * runs the real thing.
 */
class RunLocalScriptTest {
  @TempDir
  Path root;

  Path javaArgs;

  @BeforeEach
  void copyOfTheScripts() throws IOException {
    for (String dir : List.of("scripts", "conf")) {
      Path from = ProjectFiles.root().resolve(dir);
      try (Stream<Path> files = Files.walk(from)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Path to = root.resolve(dir).resolve(from.relativize(f).toString());
          Files.createDirectories(to.getParent());
          Files.copy(f, to, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    Files.copy(ProjectFiles.root().resolve("pom.xml"), root.resolve("pom.xml"));
    String version = new String(Files.readAllBytes(root.resolve("pom.xml"))).lines()
        .filter(l -> l.startsWith("  <version>")).findFirst().orElseThrow().replaceAll(".*<version>(.*)</version>.*", "$1");
    Files.createDirectories(root.resolve("job/target"));
    Files.write(root.resolve("job/target/job-" + version + ".jar"), new byte[0]);
    javaArgs = root.resolve("java-args.txt");
    Path java = root.resolve("jdk/bin/java");
    Files.createDirectories(java.getParent());
    Files.writeString(java, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > '" + javaArgs + "'\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  List<String> runLocal(String... args) throws IOException, InterruptedException {
    ScriptRunner.Result r = ScriptRunner.run(root, "run-local.sh", List.of(args), Map.of(
        "JAVA_HOME", root.resolve("jdk").toString(), "RESNET_SPARK_DIST_CLASSPATH", "/spark/jars/x.jar",
        "RESNET_SPARK_RUN_DIR", root.resolve("run").toString()), Duration.ofMinutes(1), root.resolve("log.txt"));
    assertEquals(0, r.code(), r.output());
    return Files.readAllLines(javaArgs);
  }

  @Test
  void s3aPropertiesAndConfBecomeTheJobsSystemPropertiesInOrder() throws IOException, InterruptedException {
    Path mine = Files.writeString(root.resolve("mine.conf"), "spark.sql.shuffle.partitions 7\n");
    List<String> java = runLocal("--s3a", "--properties", mine.toString(), "--conf",
        "spark.hadoop.fs.s3a.endpoint=http://127.0.0.1:9000", "--conf=spark.driver.memory=3g",
        "--model", "/m", "--input", "s3a://lake/images", "--output", "s3a://lake/labels");
    assertTrue(java.contains("-Dspark.hadoop.fs.s3a.committer.name=magic"), java.toString());
    assertTrue(java.contains("-Dspark.sql.shuffle.partitions=7"), java.toString());
    assertTrue(java.contains("-Dspark.hadoop.fs.s3a.endpoint=http://127.0.0.1:9000"), java.toString());
    assertTrue(java.lastIndexOf("-Xmx3g") > java.indexOf("-Dspark.hadoop.fs.s3a.committer.name=magic"),
        "--conf wins over every file (the JVM takes the last -Xmx): " + java);
    List<String> job = java.subList(java.indexOf("io.resnetspark.job.LabelImagesJob") + 1, java.size());
    assertFalse(job.stream().anyMatch(a -> a.equals("--s3a") || a.equals("--conf") || a.startsWith("--conf=")
        || a.startsWith("--properties")), "the job gets only its own options: " + job);
    assertTrue(job.containsAll(List.of("--input", "s3a://lake/images", "--output", "s3a://lake/labels")), job.toString());
  }

  @Test
  void withoutS3aTheS3aCommitterIsNotSet() throws IOException, InterruptedException {
    List<String> java = runLocal("--model", "/m", "--input", "/i", "--output", "/o");
    assertFalse(java.stream().anyMatch(a -> a.contains("fs.s3a.committer")), java.toString());
  }

  @Test
  void aMissingPropertiesFileIsAnError() throws IOException, InterruptedException {
    ScriptRunner.Result r = ScriptRunner.run(root, "run-local.sh", List.of("--properties", "/nope.conf",
        "--model", "/m"), Map.of("JAVA_HOME", root.resolve("jdk").toString()), Duration.ofMinutes(1),
        root.resolve("log.txt"));
    assertEquals(1, r.code(), r.output());
    assertTrue(r.output().contains("error: no such properties file: /nope.conf"), r.output());
  }
}

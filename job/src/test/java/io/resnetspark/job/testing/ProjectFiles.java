package io.resnetspark.job.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the repository's {@code scripts/} and {@code conf/} from a test, so fixtures run the very scripts
 * and read the very configuration files that users get.
 */
public final class ProjectFiles {

    /** Overrides the search, e.g. when tests run from an unusual working directory. */
    public static final String ROOT_PROPERTY = "resnet.spark.root";

    private ProjectFiles() {
    }

    /** The repository root: the nearest ancestor of the working directory that has the start scripts. */
    public static Path root() {
        String configured = System.getProperty(ROOT_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return requireRoot(Path.of(configured).toAbsolutePath().normalize());
        }
        // Surefire runs in the module directory, an IDE often in the repository root: walk up from either.
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (isRoot(dir)) {
                return dir;
            }
        }
        throw new IllegalStateException("no resnet-spark checkout (scripts/start-s3.sh, conf/) above "
                + Path.of("").toAbsolutePath() + "; set -D" + ROOT_PROPERTY);
    }

    public static Path script(String name) {
        return root().resolve("scripts").resolve(name);
    }

    public static Path conf(String name) {
        return root().resolve("conf").resolve(name);
    }

    private static boolean isRoot(Path dir) {
        return Files.isRegularFile(dir.resolve("scripts/start-s3.sh")) && Files.isDirectory(dir.resolve("conf"));
    }

    private static Path requireRoot(Path dir) {
        if (!isRoot(dir)) {
            throw new IllegalStateException(ROOT_PROPERTY + "=" + dir + " is not a resnet-spark checkout");
        }
        return dir;
    }
}

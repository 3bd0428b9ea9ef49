package io.resnetspark.job.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Process look-ups the fixtures need beyond {@link ProcessHandle}; Linux only, like the scripts. */
final class Processes {

    private Processes() {
    }

    /**
     * The full command line from {@code /proc/<pid>/cmdline}, arguments joined by spaces. Read directly because
     * executor command lines carry class paths of tens of kilobytes.
     */
    static Optional<String> commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return Optional.of(new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim());
        } catch (IOException gone) {
            return Optional.empty();
        }
    }

    /** The live process {@code pid} if its command line contains {@code marker} (a guard against pid reuse). */
    static Optional<ProcessHandle> liveWithMarker(long pid, String marker) {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> commandLine(pid).map(cmd -> cmd.contains(marker)).orElse(false));
    }
}

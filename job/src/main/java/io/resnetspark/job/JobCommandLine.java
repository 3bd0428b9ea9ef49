package io.resnetspark.job;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Turns the arguments, and the {@code --config} file they may name, into {@link JobOptions}. The file's values
 * act as defaults, so anything on the command line wins; a key that names no option is an error rather than a
 * silently ignored typo.
 */
public final class JobCommandLine {
  static final String CONFIG_OPTION = "--config";

  private JobCommandLine() {
  }

  /** The result of parsing: options to run with, or a request for help or version text. */
  public record Parsed(CommandLine commandLine, JobOptions options) {
    public boolean helpRequested() {
      return commandLine.isUsageHelpRequested() || commandLine.isVersionHelpRequested();
    }
  }

  /**
   * Parses and validates {@code args}.
   *
   * @throws CommandLine.ParameterException for a malformed command line (exit code {@link ExitCode#USAGE})
   * @throws ConfigException if the {@code --config} file cannot be read or has unknown keys
   */
  public static Parsed parse(String... args) {
    JobOptions options = new JobOptions();
    CommandLine cli = new CommandLine(options).setCaseInsensitiveEnumValuesAllowed(true);
    Path config = configPath(cli, args);
    if (config != null) {
      Properties values = load(config);
      checkKeys(cli.getCommandSpec(), values, config);
      cli.setDefaultValueProvider(new ConfigDefaults(values));
    }
    cli.parseArgs(args);
    if (!cli.isUsageHelpRequested() && !cli.isVersionHelpRequested()) {
      options.validate();
    }
    return new Parsed(cli, options);
  }

  /** The file named by {@code --config FILE} or {@code --config=FILE}, found before picocli parses the rest. */
  static Path configPath(CommandLine cli, String[] args) {
    Path found = null;
    for (int i = 0; i < args.length; i++) {
      String value = null;
      if (args[i].equals(CONFIG_OPTION)) {
        if (i + 1 >= args.length) {
          throw new CommandLine.ParameterException(cli, "--config needs a file");
        }
        value = args[++i];
      } else if (args[i].startsWith(CONFIG_OPTION + "=")) {
        value = args[i].substring(CONFIG_OPTION.length() + 1);
      } else if (args[i].equals("--")) {
        break;
      }
      if (value != null) {
        if (found != null) {
          throw new CommandLine.ParameterException(cli, "--config may be given once");
        }
        found = Path.of(value);
      }
    }
    return found;
  }

  static Properties load(Path file) {
    Properties values = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      values.load(in);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    return values;
  }

  /** The keys a config file may use: every option's long name without its dashes, except config itself. */
  static Set<String> keys(CommandSpec spec) {
    return spec.options().stream()
        .filter(o -> !o.usageHelp() && !o.versionHelp())
        .map(JobCommandLine::key)
        .filter(k -> !k.equals(key(CONFIG_OPTION)))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static void checkKeys(CommandSpec spec, Properties values, Path file) {
    Set<String> allowed = keys(spec);
    for (String key : new TreeSet<>(values.stringPropertyNames())) {
      if (!allowed.contains(key)) {
        throw new ConfigException("config file " + file + ": unknown key '" + key + "'; keys are option names "
            + "without dashes: " + String.join(", ", allowed));
      }
    }
  }

  private static String key(OptionSpec option) {
    return key(option.longestName());
  }

  private static String key(String optionName) {
    return optionName.replaceFirst("^-+", "");
  }

  /** Supplies an option's default from the config file; picocli uses it only when the option is not given. */
  private record ConfigDefaults(Properties values) implements CommandLine.IDefaultValueProvider {
    @Override
    public String defaultValue(ArgSpec argSpec) {
      if (argSpec instanceof OptionSpec option) {
        String value = values.getProperty(key(option));
        return value == null ? null : value.strip();
      }
      return null;
    }
  }
}

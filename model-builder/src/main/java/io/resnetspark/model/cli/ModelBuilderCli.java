package io.resnetspark.model.cli;

import io.resnetspark.model.Architecture;
import io.resnetspark.model.pretrained.Environment;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code model-builder build | describe | verify}. User errors (bad arguments, unreadable or unwritable paths,
 * mismatched checkpoints) end with exit code {@value #EXIT_USER_ERROR} and one line saying what to fix, never a
 * stack trace; {@value #EXIT_USAGE} is a malformed command line.
 */
@Command(name = "model-builder", mixinStandardHelpOptions = true, versionProvider = ResNetSparkVersion.class,
    description = "Builds torchvision-exact ResNet SavedModels for resnet-spark.",
    subcommands = {BuildCommand.class, DescribeCommand.class, VerifyCommand.class})
public final class ModelBuilderCli implements Runnable {
  public static final int EXIT_USER_ERROR = 1;
  public static final int EXIT_USAGE = 2;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: build, describe or verify");
  }

  public static void main(String[] args) {
    System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams and returns the exit code (for tests and for main). */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    return execute(args, out, err, Environment.system());
  }

  /** As {@link #execute(String[], PrintWriter, PrintWriter)}, with the environment that locates published weights. */
  static int execute(String[] args, PrintWriter out, PrintWriter err, Environment environment) {
    CommandLine cli = new CommandLine(new ModelBuilderCli())
        .registerConverter(Architecture.class, Architecture::fromId)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setOut(out)
        .setErr(err)
        .setExitCodeExceptionMapper(e -> EXIT_USER_ERROR)
        .setParameterExceptionHandler((e, a) -> {
          e.getCommandLine().getErr().println("error: " + e.getMessage() + " (see '"
              + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
          return EXIT_USAGE;
        })
        .setExecutionExceptionHandler((e, command, parsed) -> {
          String message = userMessage(e);
          if (message == null) {
            throw e;
          }
          command.getErr().println("error: " + message);
          return EXIT_USER_ERROR;
        });
    ((BuildCommand) cli.getSubcommands().get("build").getCommand()).environment = environment;
    return cli.execute(args);
  }

  /** A one-line explanation for errors a user can fix; null for bugs, which keep their stack trace. */
  static String userMessage(Exception e) {
    if (e instanceof NoSuchFileException n) {
      return "no such file or directory: " + n.getFile();
    }
    if (e instanceof AccessDeniedException a) {
      return "permission denied: " + a.getFile();
    }
    if (e instanceof FileAlreadyExistsException f) {
      return f.getFile() + " " + (f.getReason() != null ? f.getReason() : "already exists");
    }
    if (e instanceof IllegalArgumentException || e instanceof IOException) {
      return e.getMessage();
    }
    return null;
  }
}

package com.yumzoom.ops.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code yumzoom} command. */
@Command(
    name = "yumzoom",
    mixinStandardHelpOptions = true,
    version = "YumZoom Ops 0.1.0",
    description = "Self-hosted operations platform: tracing, metrics, alerting, errors.",
    subcommands = {ServeCommand.class, DemoCommand.class})
public final class YumzoomCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new YumzoomCommand()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}

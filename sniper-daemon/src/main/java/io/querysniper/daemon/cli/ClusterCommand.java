package io.querysniper.daemon.cli;

import io.querysniper.cluster.ClusterStatus;
import io.querysniper.cluster.ClusterStatusReader;
import io.querysniper.cluster.ZkClients;
import io.querysniper.config.LoadedSettings;
import org.apache.curator.framework.CuratorFramework;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code query-sniper cluster ...}: looks at the cluster from any machine that reaches ZooKeeper. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Inspect the cluster of nodes sharing the databases.",
        subcommands = {ClusterCommand.Status.class})
public final class ClusterCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand (status)");
    }

    /** {@code cluster status}: live nodes, owners, databases without owner (exit 1 when any). */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Live nodes, which node owns which database and since when, and databases with no owner.",
                    "Exit 1 when any configured database has no owner."})
    public static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ZooKeeperFilesOptions files;

        @Option(names = "--json", description = "{\"nodes\":[{\"id\":..}],\"owners\":{\"<database>\":\"<node-id>\"}}")
        boolean json;

        @Override
        public Integer call() {
            LoadedSettings loaded = files.load();
            ClusterStatus status;
            try (CuratorFramework client = ZooKeeperReadClient.open(loaded)) {
                status = new ClusterStatusReader(client).read(loaded.settings().databases().keySet(),
                        loaded.settings().configHash());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.print(json ? status.toJson() + "\n" : status.toTable());
            out.flush();
            if (loaded.settings().cluster().authScheme() == null) {
                // stderr: --json output stays one object, and the warning still reaches whoever runs it.
                PrintWriter err = spec.commandLine().getErr();
                err.println(ZkClients.openAclWarning(ZooKeeperReadClient.connectString(loaded.settings().cluster()),
                        loaded.settings().cluster().namespace()));
                err.flush();
            }
            return status.allOwned() ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }
}

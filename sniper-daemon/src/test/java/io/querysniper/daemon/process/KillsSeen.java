package io.querysniper.daemon.process;

import io.querysniper.core.kill.KillOutcome;
import io.querysniper.journal.JournalQuery;
import io.querysniper.journal.JournalReader;
import io.querysniper.testkit.MariaDbServer;
import org.apache.curator.framework.CuratorFramework;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The KILLs of a multi-node process test as two independent witnesses saw them, for {@link KillOverlap}:
 * the server (its general log; node {@code n<i>} logs in as {@code sniper<i>}) and the journal.
 */
final class KillsSeen {
    private KillsSeen() {
    }

    /** Every KILL the server received, by the node whose login sent it; any other sender fails the test. */
    static List<KillOverlap.Kill> inTheGeneralLog(MariaDbServer db, int nodes) throws SQLException {
        List<KillOverlap.Kill> out = new ArrayList<>();
        try (Connection c = db.connection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT event_time, user_host, CONVERT(argument USING utf8mb4)"
                     + " FROM mysql.general_log WHERE command_type = 'Query'"
                     + " AND CONVERT(argument USING utf8mb4) LIKE 'KILL%'")) {
            while (rs.next()) {
                String user = rs.getString(2).substring(0, rs.getString(2).indexOf('['));
                assertThat(user).as("only the nodes send KILLs").matches("sniper[1-" + nodes + "]");
                out.add(new KillOverlap.Kill("n" + user.substring("sniper".length()), rs.getTimestamp(1).toInstant(),
                        rs.getString(3)));
            }
        }
        return out;
    }

    /**
     * The journal's KILLED records of {@code database} since {@code since}, and the intents that
     * {@code crashedNode} (or nobody, when null) left without an outcome: kill -9 can land between a KILL
     * and its final record (the intent is durable, the outcome was in memory), which the journal shows as
     * {@code UNKNOWN(pending)}. Any other node's pending intent is not a kill.
     */
    static List<KillOverlap.Kill> inTheJournal(CuratorFramework client, String database, Instant since,
                                               String crashedNode) {
        return new JournalReader(client).read(new JournalQuery(since, null, database, null)).stream()
                .filter(r -> r.outcome() == KillOutcome.KILLED
                        || (r.outcome() == KillOutcome.PENDING && r.node().equals(crashedNode)))
                .map(r -> new KillOverlap.Kill(r.node(), r.time(), "thread " + r.threadId() + ", record " + r.id()))
                .toList();
    }

    static Map<String, Long> countByNode(List<KillOverlap.Kill> kills) {
        return kills.stream().collect(Collectors.groupingBy(KillOverlap.Kill::node, TreeMap::new, Collectors.counting()));
    }
}

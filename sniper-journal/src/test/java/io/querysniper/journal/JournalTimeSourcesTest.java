package io.querysniper.journal;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The journal reads time only from what it is given (a {@code Clock} for wall time, a ticker for bounds),
 * so tests can drive it; and the table of ZooKeeper answers that quarantine a record.
 */
class JournalTimeSourcesTest {
    private static final JavaClasses JOURNAL = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.querysniper.journal");

    @Test
    void theJournalWriterReadsNoSystemClock() {
        noClasses().that().haveNameMatching("io\\.querysniper\\.journal\\.ZkJournal(\\$.*)?")
                .should().callMethod(System.class, "nanoTime")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .because("ZkJournal uses the Clock and the ticker it is given")
                .check(JOURNAL);
    }

    @Test
    void refusalsForGood() {
        assertThat(ZkRefusal.of(KeeperException.Code.OK)).isEqualTo(ZkRefusal.NONE);
        assertThat(ZkRefusal.of(KeeperException.Code.NODEEXISTS)).isEqualTo(ZkRefusal.NONE);
        assertThat(ZkRefusal.of(KeeperException.Code.NONODE)).isEqualTo(ZkRefusal.NONE);
        for (KeeperException.Code c : new KeeperException.Code[] {KeeperException.Code.NOAUTH,
                KeeperException.Code.INVALIDACL, KeeperException.Code.BADARGUMENTS,
                KeeperException.Code.NOCHILDRENFOREPHEMERALS, KeeperException.Code.QUOTAEXCEEDED}) {
            assertThat(ZkRefusal.of(c)).as(c.name()).isEqualTo(ZkRefusal.FOR_GOOD);
        }
        for (KeeperException.Code c : new KeeperException.Code[] {KeeperException.Code.CONNECTIONLOSS,
                KeeperException.Code.SESSIONEXPIRED, KeeperException.Code.OPERATIONTIMEOUT,
                KeeperException.Code.AUTHFAILED, KeeperException.Code.THROTTLEDOP, KeeperException.Code.SYSTEMERROR}) {
            assertThat(ZkRefusal.of(c)).as(c.name()).isEqualTo(ZkRefusal.RETRY);
        }
    }
}

package io.querysniper.core;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The core stays pure: no JDBC, no ZooKeeper/Curator, no HOCON, no HTTP client. */
class ArchitectureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.querysniper.core");

    @Test
    void coreDependsOnNoAdapterTechnology() {
        noClasses().that().resideInAPackage("io.querysniper.core..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "java.sql..", "javax.sql..", "org.apache.zookeeper..", "org.apache.curator..",
                        "com.typesafe..", "java.net.http..", "com.zaxxer..", "com.mysql..")
                .because("the core is pure; adapters live in their own modules")
                .check(CORE);
    }

    @Test
    void coreImportsSomething() {
        org.assertj.core.api.Assertions.assertThat(CORE.size()).isGreaterThan(20);
    }
}

package io.netslim;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package layering of the main code, checked on its bytecode: no cycle between io.netslim's top-level
 * packages, and the dependencies the project rules out (docs/how-it-works.md, "Package layout").
 */
class LayeringTest {
    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.netslim");
    }

    @Test
    void topLevelPackagesHaveNoCycle() {
        slices().matching("io.netslim.(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void pruneNeverDependsOnSpark() {
        noClasses().that().resideInAPackage("io.netslim.prune..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.spark..")
                .because("pruning runs on the driver alone, on a network and its dependency graph").check(main);
    }

    @Test
    void trainNeverDependsOnPrune() {
        noClasses().that().resideInAPackage("io.netslim.train..")
                .should().dependOnClassesThat().resideInAPackage("io.netslim.prune..").check(main);
    }

    @Test
    void dataNeverDependsOnModel() {
        noClasses().that().resideInAPackage("io.netslim.data..")
                .should().dependOnClassesThat().resideInAPackage("io.netslim.model..").check(main);
    }

    @Test
    void configDependsOnNoOtherNetslimPackage() {
        noClasses().that().resideInAPackage("io.netslim.config..")
                .should().dependOnClassesThat(resideInAPackage("io.netslim..")
                        .and(not(resideInAPackage("io.netslim.config.."))))
                .check(main);
    }

    @Test
    void nothingDependsOnTheRootPackage() {
        noClasses().that().resideOutsideOfPackage("io.netslim")
                .should().dependOnClassesThat().resideInAPackage("io.netslim")
                .because("io.netslim holds Main, the entry point, alone").check(main);
    }

    @Test
    void metricsNeverDependsOnPrune() {
        noClasses().that().resideInAPackage("io.netslim.metrics..")
                .should().dependOnClassesThat().resideInAPackage("io.netslim.prune..")
                .because("counting and timing a network does not depend on how it is pruned").check(main);
    }

    @Test
    void storageDependsOnConfigAlone() {
        noClasses().that().resideInAPackage("io.netslim.artifacts..")
                .should().dependOnClassesThat(resideInAPackage("io.netslim..")
                        .and(not(resideInAPackage("io.netslim.artifacts..")))
                        .and(not(resideInAPackage("io.netslim.config.."))))
                .because("the run's storage sits under everything that writes to it").check(main);
    }
}

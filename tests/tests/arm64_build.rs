//! What `sam build` produced (scripts/check-infra, before the tests) is what Lambda's arm64
//! `provided.al2023` runtime runs: for every function of the template, a `bootstrap` that is a
//! 64-bit little-endian aarch64 ELF executable.

use std::path::PathBuf;

/// ELF `e_machine` of AArch64.
const EM_AARCH64: u16 = 183;
/// ELF `e_type` of an executable (ET_EXEC) and of a position-independent one (ET_DYN).
const EXECUTABLE_TYPES: [u16; 2] = [2, 3];

#[test]
fn every_bootstrap_is_an_aarch64_elf_executable() {
    let build = PathBuf::from(std::env::var("SAM_BUILD_DIR").expect(
        "SAM_BUILD_DIR is not set: run the tests with scripts/test, which runs sam build first",
    ));
    let template = integration_tests::template().unwrap();
    let functions: Vec<&str> = template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, resource)| resource["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|(name, _)| name.as_str().unwrap())
        .collect();
    assert_eq!(functions.len(), 8, "{functions:?}");
    for function in functions {
        let path = build.join(function).join("bootstrap");
        let bytes =
            std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        assert!(
            bytes.len() > 64,
            "{}: too short for an ELF file",
            path.display()
        );
        assert_eq!(
            &bytes[..4],
            b"\x7fELF",
            "{}: not an ELF file",
            path.display()
        );
        assert_eq!(bytes[4], 2, "{}: not 64-bit", path.display());
        assert_eq!(bytes[5], 1, "{}: not little-endian", path.display());
        let e_type = u16::from_le_bytes([bytes[16], bytes[17]]);
        let e_machine = u16::from_le_bytes([bytes[18], bytes[19]]);
        assert!(
            EXECUTABLE_TYPES.contains(&e_type),
            "{}: e_type {e_type}",
            path.display()
        );
        assert_eq!(
            e_machine,
            EM_AARCH64,
            "{}: e_machine {e_machine}",
            path.display()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert!(mode & 0o111 != 0, "{}: not executable", path.display());
        }
    }
}

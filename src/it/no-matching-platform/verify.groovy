def log = new File(basedir, 'build.log').text
assert log.contains('BUILD FAILURE')
assert log.contains('no manifest for platform linux/s390x')
// the message lists what the image offers, and never an attestation entry
assert log.contains('linux/amd64') && log.contains('linux/arm64') && log.contains('linux/arm/v7')
assert !log.contains('unknown/unknown')
assert !new File(basedir, 'target/images').exists()
return true

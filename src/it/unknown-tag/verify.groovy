def log = new File(basedir, 'build.log').text
def reg = registry
assert log.contains('BUILD FAILURE')
assert log.contains("could not resolve ${reg}/test/oci-image:no-such-tag from ${reg}".toString())
assert log.contains('MANIFEST_UNKNOWN')
assert log.contains('HTTP 404')
assert !new File(basedir, 'target/images').exists()
return true

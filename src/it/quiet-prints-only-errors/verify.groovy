// Under -q only errors reach the log: none of the goal's INFO lines (summary, table, "wrote"), no WARNING,
// no progress line. The first invocation succeeded and left its output; the second failed with its reason.
def reg = registry
def log = new File(basedir, 'build.log').text

assert new File(basedir, 'target/images/manifest.json').isFile() : 'the quiet pull wrote nothing'
assert new File(basedir, 'target/images.tar').isFile()
assert !new File(basedir, 'target/failed').exists()

def noise = log.readLines().findAll { it =~ /^\[(INFO|WARNING|WARN|DEBUG)\]/ }
assert noise.isEmpty() : "not quiet:\n${noise.join('\n')}"
assert !log.contains('\r') : 'a progress line in a quiet build'
assert !log.contains('test/docker-image:1.0 linux/amd64') : 'the per-image summary in a quiet build'

// what -q keeps: the error, which names the image, the registry and the registry's answer
def errors = log.readLines().findAll { it.startsWith('[ERROR]') }
assert errors.any { it.contains("could not resolve ${reg}/test/oci-image:no-such-tag from ${reg}".toString()) } : log
assert log.contains('MANIFEST_UNKNOWN')
return true

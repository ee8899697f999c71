def log = new File(basedir, 'build.log').text
def reg = registry
assert log.contains('BUILD FAILURE')
assert log.contains("images.lock.json has no locked digest for ${reg}/test/docker-image:1.0 (linux/amd64) (images.lock.strict=true)".toString())
assert log.contains('add them with mvn images:lock')
assert !log.contains("${reg}/test/oci-image:1.0 (linux/amd64)".toString()) : 'the locked image is not reported missing'
assert !new File(basedir, 'target/images').exists() : 'nothing is pulled'
return true

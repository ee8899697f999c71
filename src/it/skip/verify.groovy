def log = new File(basedir, 'build.log').text
assert log.contains('Skipping images:pull')
assert !new File(basedir, 'target/images').exists()
return true

#!python
-- want@1: error shebang
return 1

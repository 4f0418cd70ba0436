-- status: 1
-- stderr: Timer.sleep: Timer.sleep$Params has no field 'x'
-- An uncaught error ends the script with status 1 and its message and a
-- traceback on stderr.
caps.timer:sleep{x = 1}

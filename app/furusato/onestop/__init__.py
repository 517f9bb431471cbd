"""ワンストップ特例 (issue 17): one-stop applications, the individual number kept as 番号法
requires, and the eLTAX 申告特例通知書 data per home municipality (004 §7(11), §7(4)オ, §13(5))."""

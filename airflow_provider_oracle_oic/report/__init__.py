"""Readable views of a run or a plan, for people: one self-contained HTML page (`html.render`)."""

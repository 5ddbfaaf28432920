"""The HTML report's style sheet and script, inline (the page loads nothing).

Both are ASCII (the page is written with every other character as a
reference, and references mean nothing inside <style> and <script>) and
scoped to ``.cnncalc``, so a notebook's page keeps its own look and several
reports can sit in one notebook."""

from __future__ import annotations

STYLE = """
.cnncalc{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 max-width:1200px;margin:0 auto;padding:1rem;box-sizing:border-box}
.cnncalc *{box-sizing:border-box}
.cnncalc h1{font-size:1.4rem;margin:0 0 .25rem;overflow-wrap:anywhere}
.cnncalc h2{font-size:1.1rem;margin:1.4rem 0 .4rem}
.cnncalc .meta{margin:0 0 .8rem;opacity:.75;overflow-wrap:anywhere}
.cnncalc .scroll{overflow-x:auto;max-width:100%}
.cnncalc table{border-collapse:collapse;font-variant-numeric:tabular-nums}
.cnncalc th,.cnncalc td{padding:.2rem .6rem;text-align:left;white-space:nowrap;
 border-bottom:1px solid rgba(128,128,128,.25);vertical-align:top}
.cnncalc thead th{position:sticky;top:0;background:Canvas;border-bottom:2px solid rgba(128,128,128,.5)}
.cnncalc .num{text-align:right}
.cnncalc td.name{padding-left:calc(.6rem + var(--d,0)*1.1rem)}
.cnncalc tr.group td{font-weight:600;background:rgba(128,128,128,.08)}
.cnncalc tr.group button{font:inherit;color:inherit;background:none;border:0;padding:0;cursor:pointer;text-align:left}
.cnncalc tr.group button::before{content:"\\25BE\\00A0";display:inline-block;width:1em}
.cnncalc tr.group button[aria-expanded=false]::before{content:"\\25B8\\00A0"}
.cnncalc tr.inexact td{color:#c00}
.cnncalc tr.allowed td{color:#a60}
.cnncalc .muted{opacity:.6}
.cnncalc .tools{margin:.3rem 0}
.cnncalc .tools button{font:inherit;font-size:.85rem;margin-right:.4rem;padding:.1rem .5rem;cursor:pointer}
.cnncalc table.totals td:first-child{font-weight:600}
.cnncalc table.totals td{white-space:normal}
.cnncalc .conventions,.cnncalc .warn{margin:.4rem 0}
.cnncalc .warn{color:#c00}
.cnncalc figure{margin:1rem 0;overflow-x:auto}
.cnncalc figure svg{max-width:100%;height:auto}
.cnncalc figcaption{font-size:.85rem;opacity:.75}
.cnncalc tr.removed td{color:#b00}
.cnncalc tr.added td{color:#070}
.cnncalc ul.specs{padding-left:1.2rem;overflow-wrap:anywhere}
.cnncalc details>summary{cursor:pointer;font-weight:600;margin:.6rem 0 .3rem}
@media (max-width:640px){
 .cnncalc{padding:.5rem;font-size:13px}
 .cnncalc th,.cnncalc td{padding:.15rem .35rem}
 .cnncalc td.name{padding-left:calc(.35rem + var(--d,0)*.7rem)}
 .cnncalc table.layers td:nth-child(2){white-space:normal;min-width:7em}
 .cnncalc table.layers td:first-child,.cnncalc table.layers th:first-child{position:sticky;left:0;background:Canvas;z-index:1}
}
@media print{
 .cnncalc{max-width:none;padding:0;font-size:9pt}
 .cnncalc .tools{display:none}
 .cnncalc tr.group button::before{content:none}
 .cnncalc .scroll,.cnncalc figure{overflow:visible}
 .cnncalc thead th{position:static}
 .cnncalc tr,.cnncalc figure{break-inside:avoid}
 .cnncalc thead{display:table-header-group}
 .cnncalc tr.group td{background:none}
}
"""

# Folding: a block's header row holds a button; a row is hidden while any
# block it sits in (its data-in) is closed. Blocks deeper than the fold level
# start closed here, not in the markup: without the script every row shows.
SCRIPT = """
(function(){
var box=document.currentScript.parentNode;
var heads=box.querySelectorAll('tr.group button');
var rows=box.querySelectorAll('tr[data-in]');
function show(){
 var shut={};
 heads.forEach(function(b){if(b.getAttribute('aria-expanded')==='false')shut[b.parentNode.parentNode.dataset.g]=1;});
 rows.forEach(function(r){r.hidden=r.dataset.in.split(' ').some(function(g){return shut[g]===1;});});
}
function all(open){heads.forEach(function(b){b.setAttribute('aria-expanded',open?'true':'false');});show();}
heads.forEach(function(b){
 if(b.parentNode.parentNode.dataset.start==='closed')b.setAttribute('aria-expanded','false');
 b.addEventListener('click',function(){
  b.setAttribute('aria-expanded',b.getAttribute('aria-expanded')==='false'?'true':'false');show();});
});
box.querySelectorAll('.tools button').forEach(function(b){
 b.addEventListener('click',function(){all(b.dataset.open==='1');});});
show();
})();
"""

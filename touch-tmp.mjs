import { chromium } from '@playwright/test';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu'] });
for (const [isMobile, ta, move] of [[true,'none',false],[true,'auto',false],[false,'none',false],[true,'none',true]]) {
  const c = await b.newContext({ hasTouch: true, isMobile, viewport: { width: 390, height: 844 } });
  const p = await c.newPage();
  await p.setContent(`<meta name="viewport" content="width=device-width"><div style="height:3000px"><div id="h" style="margin-top:400px;width:60px;height:60px;background:red;touch-action:${ta}"></div></div>
  <script>const h=document.getElementById('h'); let sy=0,st=0; h.addEventListener('pointerdown',e=>{h.setPointerCapture(e.pointerId); sy=e.clientY});
  h.addEventListener('pointermove',e=>{ if(${move}) h.style.transform='translateY('+(e.clientY-sy)+'px)'});</script>`);
  await p.evaluate(() => window.scrollTo(0, 300));
  const cdp = await c.newCDPSession(p);
  const t = (type, pt) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: pt ? [pt] : [] });
  await t('touchStart', { x: 30, y: 130 });
  for (let i = 1; i <= 10; i++) await t('touchMove', { x: 30, y: 130 + i * 30 });
  await t('touchEnd');
  console.log(isMobile, ta, move, await p.evaluate(() => window.scrollY));
  await c.close();
}
await b.close();

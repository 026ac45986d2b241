// The shop's own code: plain browser JavaScript. The snippet instruments fetch and XHR; the
// checkout is wrapped in a span of its own so the whole click is one trace.
const WORKER = document.querySelector('script[data-propagate-to]').dataset.propagateTo;
const status = (t) => (document.getElementById('status').textContent = t);

fetch(WORKER + '/api/products')
  .then((r) => r.json())
  .then((items) => {
    document.getElementById('products').replaceChildren(
      ...items.map((p) => Object.assign(document.createElement('li'), { textContent: `${p.name}: ${p.price} €` })),
    );
  })
  .catch(() => status('The worker is not reachable.'));

document.getElementById('add').onclick = () => {
  const x = new XMLHttpRequest();
  x.open('POST', WORKER + '/api/cart');
  x.onload = () => status('Added to cart.');
  x.send(JSON.stringify({ id: 1 }));
};

document.getElementById('checkout').onclick = () => {
  // window.otelite appears when the async snippet has run; without it the page works the same
  const tracer = window.otelite?.getTracer('shop');
  const run = (span) =>
    fetch(WORKER + '/api/checkout', { method: 'POST', body: JSON.stringify({ items: [1] }) })
      .then((r) => r.json())
      .then((order) => {
        span?.setAttribute('shop.order_id', order.id);
        span?.end();
        status('Order ' + order.id + ' placed.');
        setTimeout(() => (location.href = '/thanks.html'), 300);
      })
      .catch((e) => {
        span?.recordException(e);
        span?.end();
        status('Checkout failed.');
      });
  return tracer ? tracer.startActiveSpan('checkout', run) : run();
};

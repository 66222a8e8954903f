//! The event loop: one queue of messages; update, then draw only when something changed,
//! after draining whatever else is already queued (bursts coalesce into one frame).

use std::time::Duration;

use futures::StreamExt;
use tokio::sync::mpsc;

use super::app::App;
use super::effect::Effect;
use super::msg::Msg;
use super::tasks::Runner;
use super::term::{self, Term};

/// Spinner and timed-reveal clock. Ticks that change nothing draw nothing.
const TICK: Duration = Duration::from_millis(100);

pub async fn run(
    mut app: App,
    runner: Runner,
    tx: mpsc::UnboundedSender<Msg>,
    mut rx: mpsc::UnboundedReceiver<Msg>,
    first: Vec<Effect>,
) -> color_eyre::Result<()> {
    term::install_panic_hook();
    // SIGTERM / SIGHUP (a dropped SSH session) end the loop so the terminal is restored.
    // Registered before the terminal goes raw: a signal that arrives between the two
    // would otherwise kill the process with the terminal left raw.
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (mut term_sig, mut hup) = (
            signal(SignalKind::terminate())?,
            signal(SignalKind::hangup())?,
        );
        let sig_tx = tx.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = term_sig.recv() => {},
                _ = hup.recv() => {},
            }
            let _ = sig_tx.send(Msg::Quit);
        });
    }
    let mut term = Term::enter(app.mouse)?;
    let size = term.terminal.size()?;
    app.size = (size.width, size.height);

    // Terminal input.
    let input_tx = tx.clone();
    tokio::spawn(async move {
        let mut events = crossterm::event::EventStream::new();
        while let Some(ev) = events.next().await {
            let msg = match ev {
                Ok(crossterm::event::Event::Key(k)) => Msg::Key(k),
                Ok(crossterm::event::Event::Mouse(m)) => Msg::Mouse(m),
                Ok(crossterm::event::Event::Resize(w, h)) => Msg::Resize(w, h),
                Ok(crossterm::event::Event::Paste(p)) => Msg::Paste(p),
                Ok(_) => continue,
                Err(_) => Msg::Quit,
            };
            if input_tx.send(msg).is_err() {
                break;
            }
        }
        let _ = input_tx.send(Msg::Quit);
    });
    // Timer.
    let tick_tx = tx.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(TICK);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            every.tick().await;
            if tick_tx.send(Msg::Tick).is_err() {
                break;
            }
        }
    });
    let mut runner = runner;
    for e in first {
        runner.run(e, &mut term);
    }
    let result = event_loop(&mut app, &mut runner, &mut term, &mut rx).await;
    drop(term);
    term::restore();
    result
}

async fn event_loop(
    app: &mut App,
    runner: &mut Runner,
    term: &mut Term<std::io::Stdout>,
    rx: &mut mpsc::UnboundedReceiver<Msg>,
) -> color_eyre::Result<()> {
    term.draw(app)?;
    app.dirty = false;
    while let Some(msg) = rx.recv().await {
        let mut effects = app.update(msg);
        while !app.quit {
            match rx.try_recv() {
                Ok(m) => effects.extend(app.update(m)),
                Err(_) => break,
            }
        }
        for e in effects {
            runner.run(e, term);
        }
        if app.quit {
            break;
        }
        if app.dirty {
            term.draw(app)?;
            app.dirty = false;
        }
    }
    Ok(())
}

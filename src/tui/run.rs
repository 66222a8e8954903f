//! The event loop: one queue of messages; update, then draw only when something changed,
//! after draining whatever else is already queued (bursts coalesce into one frame).
//!
//! [`run`] is the real console: raw mode, the alternate screen, signals, the terminal's
//! own input. [`drive`] is the loop itself, on any [`Screen`] and any stream of input
//! events, so tests run the whole console in process.

use std::io;
use std::time::Duration;

use crossterm::event::Event;
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;

use super::app::App;
use super::effect::Effect;
use super::msg::Msg;
use super::replies::LateReplies;
use super::tasks::Runner;
use super::term::{self, Screen, Term};

/// Spinner and timed-reveal clock. Ticks that change nothing draw nothing.
const TICK: Duration = Duration::from_millis(100);

/// Everything the loop runs on, before it starts: the app, the runner of its effects,
/// the message queue both report to, and the effects to run first (a screen pop).
pub struct Console {
    pub app: App,
    pub runner: Runner,
    pub tx: mpsc::UnboundedSender<Msg>,
    pub rx: mpsc::UnboundedReceiver<Msg>,
    pub first: Vec<Effect>,
}

/// Run the console on the real terminal until the agent quits or a signal ends it; the
/// terminal is restored however it ends.
pub async fn run(console: Console, replies: LateReplies) -> color_eyre::Result<()> {
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
        let sig_tx = console.tx.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = term_sig.recv() => {},
                _ = hup.recv() => {},
            }
            let _ = sig_tx.send(Msg::Quit);
        });
    }
    let mut term = Term::enter(console.app.mouse)?;
    // A late answer to the start-up questions is not the agent's typing.
    let mut replies = replies;
    let events = crossterm::event::EventStream::new().filter(move |ev| {
        let late = matches!(ev, Ok(e) if replies.swallow(e, std::time::Instant::now()));
        std::future::ready(!late)
    });
    let result = drive(console, &mut term, events).await;
    drop(term);
    term::restore();
    result.map(|_| ())
}

/// The loop on `term`, fed by `events`, until the agent quits or the input ends (an
/// input error ends it too). Answers the app as the loop left it.
pub async fn drive<B, S>(console: Console, term: &mut Term<B>, events: S) -> color_eyre::Result<App>
where
    B: Screen,
    S: Stream<Item = io::Result<Event>> + Send + 'static,
{
    let Console {
        mut app,
        mut runner,
        tx,
        mut rx,
        first,
    } = console;
    app.size = term.size()?;

    // Input.
    let input_tx = tx.clone();
    tokio::spawn(async move {
        let mut events = std::pin::pin!(events);
        while let Some(ev) = events.next().await {
            let msg = match ev {
                Ok(ev) => match input(ev) {
                    Some(m) => m,
                    None => continue,
                },
                Err(_) => Msg::Quit,
            };
            if input_tx.send(msg).is_err() {
                break;
            }
        }
        let _ = input_tx.send(Msg::Quit);
    });
    // Timer.
    let tick_tx = tx;
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
    for e in first {
        runner.run(e, term);
    }
    event_loop(&mut app, &mut runner, term, &mut rx).await?;
    Ok(app)
}

/// The message a terminal event means to the console, if any.
fn input(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) => Some(Msg::Key(k)),
        Event::Mouse(m) => Some(Msg::Mouse(m)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        Event::Paste(p) => Some(Msg::Paste(p)),
        _ => None,
    }
}

async fn event_loop<B: Screen>(
    app: &mut App,
    runner: &mut Runner,
    term: &mut Term<B>,
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

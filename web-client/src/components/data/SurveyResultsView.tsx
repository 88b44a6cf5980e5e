// One survey's results: per question a chart and its table (the five points of a scale, the
// options of a choice) or the texts written, without who wrote them.
import type { QuestionResult, SurveyResults } from '../../api/programData';
import { formatAverage } from '../../lib/surveys';
import { BarChart, ColumnChart } from '../charts/Charts';

/** Under an h2: the survey's title is an h3, each question an h4. */
export function SurveyResultsView({ results }: { results: SurveyResults }) {
  return (
    <div className="survey-results">
      <h3>{results.title}</h3>
      <p>
        {results.responses} {results.responses === 1 ? 'response' : 'responses'}
      </p>
      {results.questions.map((q, i) => (
        <QuestionResultView key={q.id} result={q} number={i + 1} />
      ))}
    </div>
  );
}

function QuestionResultView({ result, number }: { result: QuestionResult; number: number }) {
  const title = `${number}. ${result.prompt}`;
  switch (result.kind) {
    case 'scale':
      return (
        <div className="question-result">
          <ColumnChart
            level={4}
            title={title}
            labelHeading="Rating"
            labels={['1', '2', '3', '4', '5']}
            series={[{ name: 'Answers', values: [0, 1, 2, 3, 4].map((i) => result.distribution?.[i] ?? 0) }]}
          />
          <p>
            Average {formatAverage(result.average)} from {result.count} {result.count === 1 ? 'answer' : 'answers'}.
          </p>
        </div>
      );
    case 'single':
    case 'multiple':
      return (
        <div className="question-result">
          <BarChart
            level={4}
            title={title}
            labelHeading="Answer"
            labels={(result.options ?? []).map((o) => o.option)}
            series={[{ name: 'Answers', values: (result.options ?? []).map((o) => o.count) }]}
            empty="No options."
          />
        </div>
      );
    case 'text':
      return (
        <section className="question-result chart" aria-label={title}>
          <h4>{title}</h4>
          {(result.answers ?? []).length === 0 ? (
            <p className="muted">No answers yet.</p>
          ) : (
            <ul className="text-answers">
              {(result.answers ?? []).map((a, i) => (
                <li key={i} className="pre-line">
                  {a}
                </li>
              ))}
            </ul>
          )}
        </section>
      );
  }
}
